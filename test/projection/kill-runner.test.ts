import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { ProjectionRunner } from '../../src/projection/index.js';
import { FaultApp, newItem } from '../faults/fixtures/fault-app.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';
import { type KillCounts, runKillScenario } from './fixtures/kill-harness.js';
import { MemoryRowsView, RowsProjection } from './fixtures/rows-views.js';

const prefix = `es_pkill_${randomBytes(4).toString('hex')}`;
const EVENTS = 3000;
const KILLS = 2;

function describeCounts(counts: KillCounts): string {
  return (
    `${counts.events} upstream events; ${counts.kills} runs killed (${counts.killedMidBatch} ` +
    `with processed events not yet committed), at positions ${counts.positions.join(', ')}`
  );
}

function checkCounts(counts: KillCounts): void {
  assert.equal(counts.kills, KILLS);
  // A kill lands inside a batch's transaction most of the time (the projection pauses in it).
  assert.ok(counts.killedMidBatch >= 1, 'no kill landed inside a batch');
}

describe('kill -9 of a projection runner while it catches up', () => {
  for (const kind of ['view', 'event-sourced'] as const) {
    test(`SQLite, ${kind}: after restarts every upstream event is applied exactly once and the tracking is at the head`, async (t) => {
      const projectionName = `Rows${kind === 'view' ? 'View' : 'Echoes'}`;
      const counts = await runKillScenario({
        kind,
        viewName: 'sqlite',
        upstreamName: 'Upstream',
        projectionName,
        env: {
          PERSISTENCE_MODULE: 'sqlite',
          SQLITE_DBNAME: tempDbPath('upstream'),
          [`${projectionName.toUpperCase()}_SQLITE_DBNAME`]: tempDbPath('projection'),
        },
        events: EVENTS,
        kills: KILLS,
      });
      t.diagnostic(describeCounts(counts));
      checkCounts(counts);
    });
  }

  whenPostgres(() => {
    after(() => dropPrefix(prefix));
    for (const kind of ['view', 'event-sourced'] as const) {
      test(`PostgreSQL, ${kind}: after restarts every upstream event is applied exactly once and the tracking is at the head`, async (t) => {
        const counts = await runKillScenario({
          kind,
          viewName: 'postgres',
          upstreamName: `${prefix}_up_${kind === 'view' ? 'v' : 'e'}`,
          projectionName: `${prefix}_${kind === 'view' ? 'rows' : 'echoes'}`,
          env: { ...baseEnv, PERSISTENCE_MODULE: 'postgres' },
          events: EVENTS,
          kills: KILLS,
        });
        t.diagnostic(describeCounts(counts));
        checkCounts(counts);
      });
    }
  });

  test('memory: runners stopped in the middle of a batch, and one failing there, are resumed by new runners on the same view without loss or duplicates', async () => {
    // A process cannot outlive kill -9 in memory: here each runner is stopped (or fails) from
    // inside its projection, mid-batch, and the next runner works on the same application and
    // view (kept open across the runners, which close what they were given).
    class KeptApp extends FaultApp {
      override async close(): Promise<void> {}
    }
    class KeptView extends MemoryRowsView {
      override async close(): Promise<void> {}
    }
    const upstream = new KeptApp({ name: 'Upstream' });
    const view = new KeptView();
    for (let i = 0; i < 12; i++) {
      await upstream.save(...Array.from({ length: 10 }, () => newItem('up', 4)));
    }
    const head = (await upstream.recorder.maxNotificationId())!;
    assert.equal(head, 600);

    let stopAt = 0;
    let failAt = 0;
    let current: { stop(): Promise<void> } | null = null;
    class Interrupted extends RowsProjection<MemoryRowsView> {
      override async processEvent(event: DomainEventLike, tracking: Tracking): Promise<void> {
        if (tracking.notificationId === failAt) throw new Error('the process died here');
        await super.processEvent(event, tracking);
        if (tracking.notificationId === stopAt) void current!.stop().catch(() => {});
      }
    }
    class SameApp extends FaultApp {
      constructor() {
        super();
        // biome-ignore lint/correctness/noConstructorReturn: the runners share one application.
        return upstream;
      }
    }
    class SameView extends MemoryRowsView {
      constructor() {
        super();
        // biome-ignore lint/correctness/noConstructorReturn: the runners share one view.
        return view;
      }
    }
    const newRunner = () =>
      new ProjectionRunner({
        applicationClass: SameApp,
        projectionClass: Interrupted,
        viewClass: SameView,
        env: { PERSISTENCE_MODULE: 'memory' },
        batchSize: 50,
      });

    const positions: number[] = [];
    // Stopped at 133, 287 and 520 (mid-batch: batches end at multiples of 50), failing at 470.
    for (const [stop, fail] of [
      [133, 0],
      [287, 0],
      [0, 470],
      [520, 0],
    ] as const) {
      stopAt = stop;
      failAt = fail;
      const runner = newRunner();
      current = runner;
      const outcome = await runner.runForever({ timeout: 10_000 }).then(
        () => 'stopped',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      await runner.stop().catch(() => {});
      assert.equal(outcome, fail === 0 ? 'stopped' : 'the process died here');
      positions.push((await view.maxTrackingId('Upstream'))!);
    }
    assert.ok(positions[0]! >= 133 && positions[0]! < head, `stopped at ${positions[0]}`);
    assert.equal(positions[2], 469, 'the failing run did not stop right before its event');

    stopAt = 0;
    failAt = 0;
    const last = newRunner();
    await last.wait(head, { timeout: 10_000 });
    await last.stop();
    const state = await view.state();
    assert.deepEqual(
      state.ids,
      Array.from({ length: head }, (_, i) => i + 1),
    );
    assert.equal(state.counter, head);
    assert.equal(await view.maxTrackingId('Upstream'), head);
    await FaultApp.prototype.close.call(upstream);
  });
});
