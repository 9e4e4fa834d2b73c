// The EventSourcedProjectionRunner behaviours every backend must show, run on memory, SQLite
// and PostgreSQL by the event-sourced-*.test.ts files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessingEvent } from '../../src/application/processing-event.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { Recording } from '../../src/persistence/recording.js';
import { EventSourcedProjectionRunner } from '../../src/projection/event-sourced-projection-runner.js';
import type { EnvType } from '../../src/utils/environment.js';
import { Counted, named, type Upstream } from './fixtures/counters.js';
import { Counter, Counters } from './fixtures/es-counters.js';
import { names } from './runner-suite.js';

/** A backend the suite runs on: the environment of applications with these names. */
export interface EventSourcedBackend {
  readonly name: string;
  /** Whether what is recorded outlives an application (false in memory). */
  readonly persistent: boolean;
  env(appName: string, projectionName: string): EnvType;
}

export function eventSourcedSuite(backend: EventSourcedBackend): void {
  /**
   * Saves upstream events so that the runner reads them as one page: before the runner, in
   * another instance of the application; in memory (where that would be another database),
   * with the runner's own application before its scheduled start runs.
   */
  async function seeded<R extends { app: Upstream }>(
    Up: typeof Upstream,
    env: EnvType,
    make: () => R,
    save: (app: Upstream) => Promise<number>,
  ): Promise<{ runner: R; last: number }> {
    if (!backend.persistent) {
      const runner = make();
      return { runner, last: await save(runner.app) };
    }
    const upstream = new Up({ env });
    try {
      const last = await save(upstream);
      return { runner: make(), last };
    } finally {
      await upstream.close();
    }
  }

  const saveAll = (aggregates: Counted[]) => async (app: Upstream) => {
    const recordings = await app.save(...aggregates);
    return recordings[recordings.length - 1]!.notification.id;
  };

  function setup() {
    const { Up } = names('es');
    const Projection = named(Counters, `${Up.name}p`);
    return { Up, Projection, env: backend.env(Up.name, Projection.name) };
  }

  describe(`EventSourcedProjectionRunner on ${backend.name}`, () => {
    it('counts upstream events with events of its own (Python Counters)', async () => {
      const { Up, Projection, env } = setup();
      await using runner = new EventSourcedProjectionRunner({
        applicationClass: Up,
        projectionClass: Projection,
        env,
      });
      for (let i = 1; i <= 4; i++) {
        await runner.wait(await runner.app.createWith(0), { timeout: 5000 });
        assert.equal(await runner.projection.countOf('Created'), i);
      }
      assert.equal(await runner.projection.countOf('Changed'), 0);
      await runner.wait(await runner.app.createWith(1), { timeout: 5000 });
      assert.equal(await runner.projection.countOf('Created'), 5);
      assert.equal(await runner.projection.countOf('Changed'), 1);
      assert.equal((await runner.lag()).events, 0);
    });

    it('gets an aggregate changed earlier in the same batch at its new version', async () => {
      const { Up, Projection, env } = setup();
      const aggregates = Array.from({ length: 20 }, () => new Counted());
      for (const a of aggregates) a.change();
      let records = 0;
      const Counting = named(
        class extends Projection {
          override async record(processingEvent: ProcessingEvent): Promise<Recording[]> {
            records++;
            return super.record(processingEvent);
          }
        },
        Projection.name,
      );
      const { runner, last } = await seeded(
        Up,
        env,
        () =>
          new EventSourcedProjectionRunner({
            applicationClass: Up,
            projectionClass: Counting,
            env,
          }),
        saveAll(aggregates),
      );
      await using _ = runner;
      await runner.wait(last, { timeout: 10_000 });
      assert.equal(await runner.projection.countOf('Created'), 20);
      assert.equal(await runner.projection.countOf('Changed'), 20);
      const counter = await runner.projection.repository.get<Counter>(Counter.createId('Created'));
      assert.equal(counter.version, 21);
      // A get of a counter changed earlier in the batch recorded the batch so far first
      // (every other event here), and the rest of the batch was recorded in one go.
      assert.ok(records >= 20 && records < 40, `${records} records`);
    });

    it('records a batch of upstream events in one transaction with its tracking', async () => {
      const { Up, env } = setup();
      const aggregates = Array.from({ length: 30 }, () => new Counted());
      let records = 0;
      // A policy that only makes new aggregates: nothing is read back during the batch.
      const Echoes = named(
        class extends Counters {
          override async policy(domainEvent: DomainEventLike, pe: ProcessingEvent) {
            const counter = new Counter(domainEvent.originatorId);
            counter.increment();
            pe.collectEvents(counter);
          }
          override async record(processingEvent: ProcessingEvent): Promise<Recording[]> {
            records++;
            return super.record(processingEvent);
          }
        },
        `${Up.name}e`,
      );
      const { runner, last } = await seeded(
        Up,
        env,
        () =>
          new EventSourcedProjectionRunner({
            applicationClass: Up,
            projectionClass: Echoes,
            env: backend.env(Up.name, Echoes.name),
            batchSize: 500,
          }),
        saveAll(aggregates),
      );
      await using _ = runner;
      await runner.wait(last, { timeout: 10_000 });
      assert.equal(records, 1);
      assert.equal(await runner.view.maxTrackingId(Up.name), last);
      assert.equal(await runner.view.maxNotificationId(), 60);
    });

    it('records its events and the tracking together, or neither', async () => {
      const { Up, Projection, env } = setup();
      await using projection = new Projection({ env });
      const upstreamEvent = new Counted().collectEvents()[0]!;
      const tracking = { applicationName: Up.name, notificationId: 1 };
      await projection.processEvent(upstreamEvent, tracking);
      assert.equal(await projection.recorder.maxTrackingId(Up.name), 1);
      const head = await projection.recorder.maxNotificationId();
      await assert.rejects(projection.processEvent(upstreamEvent, tracking), IntegrityError);
      assert.equal(await projection.recorder.maxNotificationId(), head);
      assert.equal(await projection.countOf('Created'), 1);
      // Recording a processing event with no events records the tracking alone.
      await projection.record(new ProcessingEvent({ ...tracking, notificationId: 2 }));
      assert.equal(await projection.recorder.maxTrackingId(Up.name), 2);
      assert.equal(await projection.recorder.maxNotificationId(), head);
    });

    it('stops at a failing policy, with the batch before it recorded', async () => {
      const { Up, env } = setup();
      const Failing = named(
        class extends Counters {
          override async policy(domainEvent: DomainEventLike, pe: ProcessingEvent) {
            if (domainEvent.constructor.name === 'Poisoned') throw new RangeError('poisoned');
            return super.policy(domainEvent, pe);
          }
        },
        `${Up.name}f`,
      );
      const { runner, last: poison } = await seeded(
        Up,
        env,
        () =>
          new EventSourcedProjectionRunner({
            applicationClass: Up,
            projectionClass: Failing,
            env: backend.env(Up.name, Failing.name),
          }),
        async (app) => {
          const first = new Counted();
          first.change();
          first.change();
          const poisoned = new Counted();
          poisoned.poison();
          const recordings = await app.save(first, poisoned, new Counted());
          return recordings[4]!.notification.id;
        },
      );
      await assert.rejects(runner.runForever({ timeout: 10_000 }), RangeError);
      assert.equal(await runner.view.maxTrackingId(Up.name), poison - 1);
      assert.equal(await runner.projection.countOf('Created'), 2);
      assert.equal(await runner.projection.countOf('Changed'), 2);
      await assert.rejects(runner.stop(), RangeError);
    });
  });
}
