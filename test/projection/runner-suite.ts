// The ProjectionRunner behaviours every backend must show (Python's runner tests and the
// library's own), defined once and run on memory, SQLite and PostgreSQL by the *.test.ts files.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ErrorHook } from '../../src/persistence/error-reporter.js';
import { IntegrityError, OperationalError, TimeoutError } from '../../src/persistence/errors.js';
import type { RecorderClass } from '../../src/persistence/infrastructure-factory.js';
import { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import type { TrackedEvent } from '../../src/projection/application-subscription.js';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import type { EnvType } from '../../src/utils/environment.js';
import { Environment } from '../../src/utils/environment.js';
import {
  Counted,
  type CountersView,
  CreatedEvent,
  changedTopic,
  EventCounters,
  named,
  PoisonError,
  Upstream,
} from './fixtures/counters.js';

/** A backend the suite runs on. */
export interface RunnerBackend {
  readonly name: string;
  /** The view class of this backend. */
  readonly viewClass: RecorderClass<CountersView>;
  /** Whether what is recorded outlives a runner (false in memory). */
  readonly persistent: boolean;
  /** The environment of an application and a projection with these names. */
  env(appName: string, projectionName: string): EnvType;
}

let counter = 0;
const run = randomBytes(3).toString('hex');

/** Unique application and projection classes (and so unique tables and files). */
export function names(prefix = 'pj'): { Up: typeof Upstream; Counters: typeof EventCounters } {
  counter++;
  return {
    Up: named(Upstream, `${prefix}${run}u${counter}`),
    Counters: named(EventCounters, `${prefix}${run}c${counter}`),
  };
}

/** The prefix every table of this test file's run starts with (for cleanup). */
export const tablePrefix = (prefix = 'pj') => `${prefix}${run}`;

export function runnerSuite(backend: RunnerBackend): void {
  const { viewClass } = backend;

  function runner(
    Up: typeof Upstream,
    Counters: typeof EventCounters,
    extra: { batchSize?: number; onError?: ErrorHook } = {},
  ) {
    return new ProjectionRunner({
      applicationClass: Up,
      projectionClass: Counters,
      viewClass,
      env: backend.env(Up.name, Counters.name),
      ...extra,
    });
  }

  describe(`ProjectionRunner on ${backend.name}`, () => {
    it('counts created and subsequent events, then counts more', async () => {
      const { Up, Counters } = names();
      await using r = runner(Up, Counters);
      await r.wait(await r.app.createWith(2), { timeout: 5000 });
      assert.equal(await r.view.created(), 1);
      assert.equal(await r.view.subsequent(), 2);
      await r.wait(await r.app.createWith(2), { timeout: 5000 });
      assert.equal(await r.view.created(), 2);
      assert.equal(await r.view.subsequent(), 4);
    });

    it('processes only the topics of the projection, and still tracks the others', async () => {
      const { Up } = names();
      const Counters = named(EventCounters, `${Up.name}t`);
      Object.defineProperty(Counters, 'topics', { value: [changedTopic] });
      await using r = runner(Up, Counters);
      await r.wait(await r.app.createWith(2), { timeout: 5000 });
      assert.equal(await r.view.created(), 0);
      assert.equal(await r.view.subsequent(), 2);
      // The last event is filtered out: its tracking is recorded by the end of its batch.
      const last = await r.app.createWith(0);
      await r.wait(last, { timeout: 5000 });
      assert.equal(await r.view.maxTrackingId(r.app.name), last);
      assert.equal((await r.lag()).events, 0);
    });

    it('stops at a poison event: runForever rejects and nothing after it is processed', async () => {
      const { Up, Counters } = names();
      const r = runner(Up, Counters);
      await r.app.createWith(1);
      const poison = await r.app.createPoisoned(); // its Created event comes first
      const before = poison - 1;
      await r.app.createWith(3);
      await assert.rejects(r.runForever({ timeout: 10_000 }), PoisonError);
      assert.equal(r.isInterrupted, true);
      assert.equal(await r.view.maxTrackingId(r.app.name), before);
      assert.equal(await r.view.created(), 2);
      assert.equal(await r.view.subsequent(), 1);
      await assert.rejects(r.view.wait(r.app.name, poison, { timeout: 100 }), TimeoutError);
      await assert.rejects(r.wait(poison), PoisonError);
      await assert.rejects(r.stop(), PoisonError);
      await assert.rejects(r.stop(), PoisonError);
      if (!backend.persistent) return;
      // A new runner meets the same event again: nothing is skipped.
      const again = runner(Up, Counters);
      await assert.rejects(again.runForever({ timeout: 10_000 }), PoisonError);
      await assert.rejects(again.stop(), PoisonError);
      const view = openView(Counters.name, Up.name);
      try {
        assert.equal(await view.maxTrackingId(Up.name), before);
        assert.equal(await view.subsequent(), 1);
      } finally {
        await view.close();
      }
    });

    it('returns quietly from runForever and wait when stopped before them', async () => {
      const { Up, Counters } = names();
      const r = runner(Up, Counters);
      await r.stop();
      assert.equal(r.isInterrupted, true);
      await r.runForever();
      await r.wait(10);
      await r.stop();
    });

    it('resolves runForever when stopped during it', async () => {
      const { Up, Counters } = names();
      const r = runner(Up, Counters);
      const running = r.runForever();
      setTimeout(() => void r.stop(), 20);
      await running;
      await r.stop();
    });

    it('resolves runForever after its timeout, and keeps running', async () => {
      const { Up, Counters } = names();
      await using r = runner(Up, Counters);
      await r.runForever({ timeout: 20 });
      assert.equal(r.isInterrupted, false);
      await r.wait(await r.app.createWith(0), { timeout: 5000 });
    });

    it('rethrows the processing error when disposed, without hiding the body error', async () => {
      const { Up, Counters } = names();
      let caught: unknown;
      try {
        await using r = runner(Up, Counters);
        await r.app.createPoisoned();
        await assert.rejects(r.runForever({ timeout: 10_000 }), PoisonError);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof PoisonError, String(caught));

      const bodyError = new RangeError('the body failed');
      const { Up: Up2, Counters: Counters2 } = names();
      try {
        await using r = runner(Up2, Counters2);
        await r.app.createWith(0);
        throw bodyError;
      } catch (error) {
        caught = error;
      }
      assert.equal(caught, bodyError);

      const { Up: Up3, Counters: Counters3 } = names();
      let disposed: ProjectionRunner<Upstream, EventCounters, CountersView> | undefined;
      try {
        await using r = runner(Up3, Counters3);
        disposed = r;
        await r.app.createPoisoned();
        await assert.rejects(r.runForever({ timeout: 10_000 }), PoisonError);
        throw bodyError;
      } catch (error) {
        caught = error;
      }
      assert.equal(disposed?.isInterrupted, true);
      // Both errors are there: the disposal's, and the body's it suppressed.
      assert.ok(caught instanceof Error && caught.name === 'SuppressedError', String(caught));
      const suppressed = caught as Error & { error: unknown; suppressed: unknown };
      assert.ok(suppressed.error instanceof PoisonError);
      assert.equal(suppressed.suppressed, bodyError);
    });

    it('times out waiting on a projection that has never processed anything', async () => {
      const { Up, Counters } = names();
      await using r = runner(Up, Counters);
      await assert.rejects(r.wait(1, { timeout: 100 }), TimeoutError);
      await r.wait(null);
    });

    it('refuses to start when the view is ahead of the upstream log', async () => {
      const { Up, Counters } = names();
      const view = openView(Counters.name, Up.name);
      await view.insertTracking({ applicationName: Up.name, notificationId: 5 });
      if (backend.persistent) await view.close();
      const r = runner(Up, Counters);
      if (!backend.persistent) {
        // In memory the view is the runner's own: record the position before the start runs.
        void r.view.insertTracking({ applicationName: Up.name, notificationId: 5 });
      }
      const error = await r.runForever({ timeout: 10_000 }).then(
        () => assert.fail('it started'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof IntegrityError);
      assert.match(error.message, new RegExp(`tracked notification 5 of ${Up.name}`));
      assert.match(error.message, /rebuild the view/);
      await assert.rejects(r.stop(), IntegrityError);
    });

    it('reports the lag in events and the age of the oldest unprocessed event', async () => {
      const { Up } = names();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const Gated = named(
        class extends EventCounters {
          override async processEvent(...args: Parameters<EventCounters['processEvent']>) {
            await gate;
            return super.processEvent(...args);
          }
        },
        `${Up.name}g`,
      );
      await using r = runner(Up, Gated as typeof EventCounters, { batchSize: 1 });
      const start = new Date();
      const last = await r.app.createWith(2);
      const lag = await r.lag();
      assert.equal(lag.applicationName, Up.name);
      assert.equal(lag.position, null);
      assert.equal(lag.head, last);
      assert.equal(lag.events, last);
      assert.ok(lag.oldestUnprocessedAt instanceof Date);
      assert.ok(lag.oldestUnprocessedAt.getTime() >= start.getTime() - 5);
      release();
      await r.wait(last, { timeout: 5000 });
      assert.deepEqual(await r.lag(), {
        applicationName: Up.name,
        position: last,
        head: last,
        events: 0,
        oldestUnprocessedAt: null,
      });
    });

    it('rebuilds the view from scratch, leaving other views and tracking alone', async () => {
      const { Up, Counters } = names();
      await using r = runner(Up, Counters, { batchSize: 3 });
      await r.app.createWith(2);
      await r.wait(await r.app.createWith(1), { timeout: 5000 });
      // The view goes wrong (a change recorded with another application's tracking).
      await r.view.incrementCreated({ applicationName: 'Elsewhere', notificationId: 7 });
      assert.equal(await r.view.created(), 3);
      let other: ProjectionRunner<Upstream, EventCounters, CountersView> | null = null;
      if (backend.persistent) {
        other = runner(Up, named(EventCounters, `${Counters.name}o`));
        await other.wait(await r.app.createWith(0), { timeout: 5000 });
      }
      const head = (await r.app.recorder.maxNotificationId())!;
      await r.rebuild();
      assert.equal(await r.view.maxTrackingId(Up.name), head);
      assert.equal(await r.view.created(), backend.persistent ? 3 : 2);
      assert.equal(await r.view.subsequent(), 3);
      assert.equal(await r.view.maxTrackingId('Elsewhere'), 7);
      if (other !== null) {
        assert.equal(await other.view.created(), 3);
        assert.equal(await other.view.maxTrackingId(Up.name), head);
        await other.stop();
      }
      // It goes on processing new events after the rebuild.
      await r.wait(await r.app.createWith(1), { timeout: 5000 });
      assert.equal(await r.view.subsequent(), 4);
    });

    it('processes a failed batch again one event per transaction, counting each once', async () => {
      const { Up } = names();
      let failures = 0;
      const Flaky = named(
        class extends EventCounters {
          override async processEvent(...args: Parameters<EventCounters['processEvent']>) {
            const [, tracking] = args;
            await super.processEvent(...args);
            // Fails once, after its change, in the middle of a batch.
            if (tracking.notificationId === 3 && failures++ === 0) throw new RangeError('once');
          }
        },
        `${Up.name}f`,
      );
      const errors: Array<[string, string]> = [];
      await using r = runner(Up, Flaky as typeof EventCounters, {
        onError: (error, source) => errors.push([error.message, source]),
      });
      const aggregates = [new Counted(), new Counted(), new Counted()];
      for (const a of aggregates) a.change();
      const recordings = await r.app.save(...aggregates);
      await r.wait(recordings[5]!.notification.id, { timeout: 5000 });
      assert.equal(await r.view.created(), 3);
      assert.equal(await r.view.subsequent(), 3);
      await r.runForever({ timeout: 50 }); // the error is reported once the batch is redone
      assert.equal(r.isInterrupted, false);
      // Rolled back and processed again, except in memory (no rollback: its change stayed).
      assert.equal(failures, backend.persistent ? 2 : 1);
      assert.deepEqual(errors, [['once', 'projection']]);
    });

    it('retries after an error that may pass, and tells onError', async () => {
      const { Up } = names();
      let failures = 0;
      const Unlucky = named(
        class extends EventCounters {
          override async processEvent(...args: Parameters<EventCounters['processEvent']>) {
            if (failures++ < 2) throw new OperationalError('the connection was lost');
            return super.processEvent(...args);
          }
        },
        `${Up.name}x`,
      );
      const sources: string[] = [];
      await using r = runner(Up, Unlucky as typeof EventCounters, {
        onError: (_error, source) => sources.push(source),
      });
      await r.wait(await r.app.createWith(1), { timeout: 5000 });
      assert.equal(await r.view.created(), 1);
      assert.equal(await r.view.subsequent(), 1);
      assert.deepEqual(sources, ['projection', 'projection']);
    });

    it('tells onError of the error that stopped it', async () => {
      const { Up, Counters } = names();
      const errors: Array<[unknown, string]> = [];
      const r = runner(Up, Counters, { onError: (error, source) => errors.push([error, source]) });
      await r.app.createPoisoned();
      await assert.rejects(r.runForever({ timeout: 10_000 }), PoisonError);
      assert.equal(errors.length, 1);
      assert.ok(errors[0]![0] instanceof PoisonError);
      assert.equal(errors[0]![1], 'projection-stopped');
      await assert.rejects(r.stop(), PoisonError);
    });

    it('calls processBatch once per batch instead of processEvent', async () => {
      const { Up } = names();
      const batches: number[][] = [];
      const Batched = named(
        class extends EventCounters {
          override async processEvent(): Promise<void> {
            throw new Error('processEvent was called');
          }
          override async processBatch(items: ReadonlyArray<TrackedEvent>, tracking: Tracking) {
            batches.push(items.map(([, t]) => t.notificationId));
            for (const [event, t] of items) {
              if ((event as object) instanceof CreatedEvent) await this.view.incrementCreated(t);
            }
            if (
              (await this.view.maxTrackingId(tracking.applicationName)) !== tracking.notificationId
            )
              await this.view.insertTracking(tracking);
          }
        },
        `${Up.name}b`,
      );
      await using r = runner(Up, Batched as typeof EventCounters, { batchSize: 4 });
      const aggregates = [new Counted(), new Counted(), new Counted()];
      for (const a of aggregates) a.change();
      const recordings = await r.app.save(...aggregates);
      await r.wait(recordings[5]!.notification.id, { timeout: 5000 });
      assert.equal(await r.view.created(), 3);
      assert.deepEqual(batches.flat(), [1, 2, 3, 4, 5, 6]);
      assert.ok(batches.every((batch) => batch.length <= 4));
    });

    if (backend.persistent) {
      it('continues the counts after a restart without processing anything twice', async () => {
        const { Up, Counters } = names();
        for (let i = 1; i <= 3; i++) {
          await using r = runner(Up, Counters);
          await r.wait(await r.app.createWith(2), { timeout: 5000 });
          assert.equal(await r.view.created(), i);
          assert.equal(await r.view.subsequent(), 2 * i);
        }
      });
    }
  });

  /** A view of the projection, opened as the runner opens it. */
  function openView(projectionName: string, appName: string): CountersView {
    const factory = InfrastructureFactory.construct(
      new Environment(projectionName, { ...process.env, ...backend.env(appName, projectionName) }),
    );
    return factory.trackingRecorder(viewClass);
  }
}
