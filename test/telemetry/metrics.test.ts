// Metrics with the real OpenTelemetry SDK: events stored and processed, processing duration,
// and the lag of a projection and of a follower.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { System } from '../../src/system/system.js';
import {
  EventCounters,
  MemoryCountersView,
  named,
  Upstream,
} from '../projection/fixtures/counters.js';
import { BankAccounts, EmailProcess } from '../system/fixtures/bank.js';
import { registerSdk } from './sdk.js';

const sdk = registerSdk();

/** The point whose attributes include these. */
function pointWith<T extends number | Histogram>(
  points: DataPoint<T>[],
  attributes: Record<string, string>,
): DataPoint<T> | undefined {
  return points.find((point) =>
    Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
  );
}

/** Counts as EventCounters does, after `gate` opens. */
class GatedCounters extends EventCounters {
  static gate: Promise<void> = Promise.resolve();
  override async processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    await GatedCounters.gate;
    await super.processEvent(domainEvent, tracking);
  }
}

it('counts events stored and processed, times the batches, and reports the lag', async () => {
  const Up = named(Upstream, 'MetricsUp');
  const Counters = named(GatedCounters, 'MetricsCounters');
  let open!: () => void;
  GatedCounters.gate = new Promise((resolve) => {
    open = resolve;
  });
  await using runner = new ProjectionRunner({
    applicationClass: Up,
    projectionClass: Counters,
    viewClass: MemoryCountersView,
    env: { PERSISTENCE_MODULE: 'memory' },
  });
  await runner.app.createWith(2);
  const last = await runner.app.createWith(1);

  // Processing waits at the gate: the projection is 5 events behind.
  const consumer = { 'messaging.consumer.group.name': 'MetricsCounters' };
  const behind = pointWith(await sdk.points('eventsourcing.consumer.lag'), consumer);
  assert.equal(behind?.value, 5);
  assert.equal(behind?.attributes['messaging.destination.name'], 'MetricsUp');

  open();
  await runner.wait(last, { timeout: 5000 });
  // The batch's span and metrics end just after its tracking is recorded.
  await new Promise((resolve) => setTimeout(resolve, 20));

  const sent = pointWith(await sdk.points('messaging.client.sent.messages'), {
    'messaging.destination.name': 'MetricsUp',
    'messaging.operation.name': 'save',
  });
  assert.equal(sent?.value, 5);
  const consumed = pointWith(await sdk.points('messaging.client.consumed.messages'), consumer);
  assert.equal(consumed?.value, 5);
  assert.equal(consumed?.attributes['messaging.operation.name'], 'process');
  const duration = pointWith(await sdk.points('messaging.process.duration'), consumer);
  const histogram = duration?.value as Histogram;
  const batches = sdk.spansNamed('process MetricsUp').length;
  assert.ok(batches >= 1);
  assert.equal(histogram.count, batches);
  assert.ok(histogram.sum !== undefined && histogram.sum > 0 && histogram.sum < 5, 'seconds');
  const caughtUp = pointWith(await sdk.points('eventsourcing.consumer.lag'), consumer);
  assert.equal(caughtUp?.value, 0);
});

it("reports the ConcurrentRunner's followers: processed, recorded, lag", async () => {
  await using runner = new ConcurrentRunner(new System([[BankAccounts, EmailProcess]]), {
    env: { PERSISTENCE_MODULE: 'memory' },
  });
  await runner.start();
  const accounts = runner.get(BankAccounts);
  for (let i = 0; i < 3; i++) await accounts.openAccount(`Holder ${i}`, `h${i}@example.com`);
  await runner.get(EmailProcess).recorder.wait('BankAccounts', 3, { timeout: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const consumer = { 'messaging.consumer.group.name': 'EmailProcess' };
  const consumed = pointWith(await sdk.points('messaging.client.consumed.messages'), consumer);
  assert.equal(consumed?.value, 3);
  assert.equal(consumed?.attributes['messaging.destination.name'], 'BankAccounts');
  const recorded = pointWith(await sdk.points('messaging.client.sent.messages'), {
    'messaging.destination.name': 'EmailProcess',
    'messaging.operation.name': 'record',
  });
  assert.equal(recorded?.value, 3);
  const lag = pointWith(await sdk.points('eventsourcing.consumer.lag'), consumer);
  assert.equal(lag?.value, 0);
});
