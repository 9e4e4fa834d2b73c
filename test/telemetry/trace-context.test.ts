// The opt-in trace context (TRACE_CONTEXT): what it stores, that nothing changes without it,
// and the processing spans of runners linked to the spans that saved the events, with the
// real OpenTelemetry SDK.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Application } from '../../src/application/application.js';
import { MemoryFactory } from '../../src/memory/memory-factory.js';
import type { Recording } from '../../src/persistence/recording.js';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { SingleThreadedRunner } from '../../src/system/single-threaded-runner.js';
import { System } from '../../src/system/system.js';
import { instrumentation, useInstrumentation } from '../../src/telemetry/instrumentation.js';
import { TRACEPARENT_KEY, traceContextEnabled } from '../../src/telemetry/trace-context.js';
import { Environment, type EnvType } from '../../src/utils/environment.js';
import {
  EventCounters,
  MemoryCountersView,
  named as namedCounters,
  SQLiteCountersView,
  Upstream,
} from '../projection/fixtures/counters.js';
import { tempDbPath } from '../sqlite/helpers.js';
import { BankAccounts, EmailProcess } from '../system/fixtures/bank.js';
import { named, TelemetryDog, TelemetrySchool } from './fixtures.js';
import { registerSdk } from './sdk.js';

const sdk = registerSdk();
const decoder = new TextDecoder();

/** The stored state of a recording, parsed. */
function storedState(recording: Recording): Record<string, unknown> {
  return JSON.parse(decoder.decode(recording.notification.state)) as Record<string, unknown>;
}

/** The traceparent of a finished span. */
function traceparentOf(span: ReadableSpan): string {
  const { traceId, spanId } = span.spanContext();
  return `00-${traceId}-${spanId}-01`;
}

/** The span ids a span links to. */
function linkedSpanIds(span: ReadableSpan): string[] {
  return span.links.map((link) => link.context.spanId);
}

/** Resolves once `check` holds (spans end a little after the work they time). */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the stored format', () => {
  it('is unchanged without TRACE_CONTEXT, inside a recording span', async () => {
    await using app = new (named(TelemetrySchool, 'PlainSchool'))({
      env: { PERSISTENCE_MODULE: 'memory' },
    });
    const dog = new TelemetryDog('Fido');
    dog.addTrick('sit');
    const recordings = await trace.getTracer('test').startActiveSpan('request', async (span) => {
      const saved = await app.save(dog);
      span.end();
      return saved;
    });
    assert.equal(sdk.spansNamed('save PlainSchool').length, 1, 'the save was traced');
    // The bytes a mapper makes with the instrumentation off, from the same events.
    const saved = instrumentation.current;
    useInstrumentation(null);
    try {
      const plain = new MemoryFactory(new Environment('PlainSchool', {})).mapper();
      for (const recording of recordings) {
        const expected = plain.toStoredEvent(recording.domainEvent);
        assert.deepEqual(recording.notification.state, expected.state);
        assert.equal(recording.notification.topic, expected.topic);
      }
      // And what the recorder holds is those bytes.
      const stored = await app.recorder.selectEvents(dog.id);
      assert.deepEqual(
        stored.map((s) => s.state),
        recordings.map((r) => r.notification.state),
      );
    } finally {
      useInstrumentation(saved);
    }
    assert.equal(TRACEPARENT_KEY in storedState(recordings[0]!), false);
  });

  it('is unchanged with TRACE_CONTEXT when no span is active and none is made', async () => {
    const saved = instrumentation.current;
    useInstrumentation(null);
    try {
      await using app = new (named(TelemetrySchool, 'OffSchool'))({
        env: { PERSISTENCE_MODULE: 'memory', TRACE_CONTEXT: 'yes' },
      });
      const recordings = await app.save(new TelemetryDog('Fido'));
      assert.deepEqual(Object.keys(storedState(recordings[0]!)), [
        'timestamp',
        'originator_topic',
        'name',
      ]);
    } finally {
      useInstrumentation(saved);
    }
  });

  it('with TRACE_CONTEXT holds the save span’s traceparent, which no event shows', async () => {
    sdk.reset();
    const env = { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: tempDbPath(), TRACE_CONTEXT: 'y' };
    await using app = new (named(TelemetrySchool, 'TracedSchool'))({ env });
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'sit');
    const saves = sdk.spansNamed('save TracedSchool');
    const [first, second] = await app.notificationLog.select(1, 10);
    assert.equal(
      JSON.parse(decoder.decode(first!.state))[TRACEPARENT_KEY],
      traceparentOf(saves[0]!),
    );
    assert.equal(
      JSON.parse(decoder.decode(second!.state))[TRACEPARENT_KEY],
      traceparentOf(saves[1]!),
    );
    for (const event of await app.events.get(id)) {
      assert.equal(Object.hasOwn(event, TRACEPARENT_KEY), false);
      assert.ok(Object.isFrozen(event));
    }
    const dog = await app.repository.get<TelemetryDog>(id);
    assert.deepEqual(dog.tricks, ['sit']);
    assert.equal(Object.hasOwn(dog, TRACEPARENT_KEY), false);
  });

  it('a TRACE_CONTEXT that is not a boolean is a clear error', () => {
    assert.throws(
      () => traceContextEnabled(new Environment('X', { TRACE_CONTEXT: 'maybe' })),
      /TRACE_CONTEXT: .*maybe/,
    );
  });
});

const projectionBackends: ReadonlyArray<{
  name: string;
  env: (app: string, projection: string) => EnvType;
  view: typeof MemoryCountersView | typeof SQLiteCountersView;
}> = [
  { name: 'memory', env: () => ({ PERSISTENCE_MODULE: 'memory' }), view: MemoryCountersView },
  {
    name: 'SQLite',
    env: (_app, projection) => ({
      PERSISTENCE_MODULE: 'sqlite',
      SQLITE_DBNAME: tempDbPath('up'),
      [`${projection.toUpperCase()}_SQLITE_DBNAME`]: tempDbPath('view'),
    }),
    view: SQLiteCountersView,
  },
];

for (const backend of projectionBackends) {
  it(`a ProjectionRunner's processing spans link to the save spans (${backend.name})`, async () => {
    sdk.reset();
    const Up = namedCounters(Upstream, `LinkUp${backend.name}`);
    const Counters = namedCounters(EventCounters, `LinkCounters${backend.name}`);
    await using runner = new ProjectionRunner({
      applicationClass: Up,
      projectionClass: Counters,
      viewClass: backend.view,
      env: { ...backend.env(Up.name, Counters.name), TRACE_CONTEXT: 'yes' },
    });
    await runner.app.createWith(2);
    const last = await runner.app.createWith(1);
    await runner.wait(last, { timeout: 5000 });
    const saves = sdk.spansNamed(`save ${Up.name}`);
    assert.equal(saves.length, 2);
    await eventually(
      () => new Set(sdk.spansNamed(`process ${Up.name}`).flatMap(linkedSpanIds)).size === 2,
      'processing spans linked to both saves',
    );
    const processing = sdk.spansNamed(`process ${Up.name}`);
    const linked = new Set(processing.flatMap(linkedSpanIds));
    for (const save of saves) assert.ok(linked.has(save.spanContext().spanId));
    for (const span of processing) {
      assert.equal(span.kind, SpanKind.CONSUMER);
      assert.equal(span.parentSpanContext, undefined, 'a new trace');
      assert.equal(span.attributes['messaging.consumer.group.name'], Counters.name);
      assert.equal(span.attributes['messaging.destination.name'], Up.name);
      assert.equal(span.attributes['messaging.operation.type'], 'process');
    }
    const counted = processing.reduce(
      (n, span) => n + (span.attributes['eventsourcing.event.count'] as number),
      0,
    );
    assert.equal(counted, 5);
    assert.equal(processing.at(-1)!.attributes['eventsourcing.notification.last_id'], 5);
  });
}

it("a ConcurrentRunner's process and policy spans link to the save spans", async () => {
  sdk.reset();
  const system = new System([[BankAccounts, EmailProcess]]);
  await using runner = new ConcurrentRunner(system, {
    env: { PERSISTENCE_MODULE: 'memory', TRACE_CONTEXT: 'yes' },
  });
  await runner.start();
  const accounts = runner.get(BankAccounts);
  const emails = runner.get(EmailProcess);
  await accounts.openAccount('Alice', 'alice@example.com');
  await accounts.openAccount('Bob', 'bob@example.com');
  await emails.recorder.wait('BankAccounts', 2, { timeout: 5000 });
  const saves = sdk.spansNamed('save BankAccounts');
  const saveIds = saves.map((span) => span.spanContext().spanId);
  await eventually(
    () =>
      new Set(sdk.spansNamed('process BankAccounts').flatMap(linkedSpanIds)).size === 2 &&
      sdk.spansNamed('record EmailProcess').length ===
        sdk.spansNamed('process BankAccounts').length,
    'the batches and their records',
  );
  const policies = sdk.spansNamed('policy EmailProcess');
  assert.equal(policies.length, 2);
  for (const policy of policies) {
    assert.equal(policy.links.length, 1);
    assert.ok(saveIds.includes(policy.links[0]!.context.spanId));
    assert.equal(policy.attributes['eventsourcing.leader.name'], 'BankAccounts');
    assert.equal(policy.attributes['eventsourcing.follower.name'], 'EmailProcess');
    assert.equal(typeof policy.attributes['eventsourcing.notification.id'], 'number');
  }
  const processing = sdk.spansNamed('process BankAccounts');
  assert.deepEqual(
    new Set(processing.flatMap(linkedSpanIds)),
    new Set(saveIds),
    'the batches link to every save',
  );
  // The policies and the record of a batch are its children.
  const batchIds = new Set(processing.map((span) => span.spanContext().spanId));
  for (const span of [...policies, ...sdk.spansNamed('record EmailProcess')]) {
    assert.ok(batchIds.has(span.parentSpanContext!.spanId), span.name);
  }
  // The emails the follower recorded carry the record span's context in turn.
  const [email] = await emails.notificationLog.select(1, 1);
  const record = sdk.spansNamed('record EmailProcess')[0]!;
  assert.equal(JSON.parse(decoder.decode(email!.state))[TRACEPARENT_KEY], traceparentOf(record));
});

it("a SingleThreadedRunner's policy spans link to the save spans", async () => {
  sdk.reset();
  await using runner = new SingleThreadedRunner(new System([[BankAccounts, EmailProcess]]), {
    env: { PERSISTENCE_MODULE: 'memory', TRACE_CONTEXT: 'yes' },
  });
  await runner.start();
  await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
  const [save] = sdk.spansNamed('save BankAccounts');
  const [policy] = sdk.spansNamed('policy EmailProcess');
  assert.deepEqual(linkedSpanIds(policy!), [save!.spanContext().spanId]);
  const [batch] = sdk.spansNamed('process BankAccounts');
  assert.equal(batch!.attributes['messaging.consumer.group.name'], 'EmailProcess');
  assert.equal(batch!.attributes['messaging.message.id'], '1');
});

it('an application that reads without TRACE_CONTEXT sees the key as a field', async () => {
  // Documented: turn it on for readers too (runners pass their env to what they construct).
  const env = { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: tempDbPath() };
  const School = named(TelemetrySchool, 'HalfSchool');
  const writer: Application = new School({ env: { ...env, TRACE_CONTEXT: 'yes' } });
  const id = await (writer as TelemetrySchool).registerDog('Fido');
  await writer.close();
  await using reader = new School({ env });
  const [event] = await reader.events.get(id);
  assert.equal(typeof (event as unknown as Record<string, unknown>)[TRACEPARENT_KEY], 'string');
});
