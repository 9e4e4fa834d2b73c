import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { InterfaceError, OperationalError } from '../../src/persistence/errors.js';
import { ProjectionRunner } from '../../src/projection/index.js';
import { FaultApp, newItem } from '../faults/fixtures/fault-app.js';
import { runUntilExitTimed } from '../helpers/run-until-exit.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { baseEnv, dropPrefix, rawClient, unavailable, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';
import { PostgresRowsView, RowsProjection } from './fixtures/rows-views.js';

const prefix = `es_pfault_${randomBytes(4).toString('hex')}`;
const exitScript = fileURLToPath(new URL('./fixtures/runner-exit.ts', import.meta.url));

after(async () => {
  if (unavailable === null) await dropPrefix(prefix);
});

/** The local ports of the proxy's connections to the server: how the server sees its clients. */
function proxiedPorts(proxy: TcpProxy): number[] {
  const sockets = (proxy as unknown as { sockets: Set<Socket> }).sockets;
  const port = Number(baseEnv.POSTGRES_PORT);
  return [...sockets].filter((s) => s.remotePort === port).map((s) => s.localPort!);
}

function count(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

describe('a projection runner and its lost connections', () => {
  whenPostgres(() => {
    test('PostgreSQL: terminated backends (the LISTEN connection among them) and a cut connection delay processing, never stop it; onError sees the transient errors and the view is exact', async (t) => {
      const upstreamName = `${prefix}_up`;
      const proxy = new TcpProxy(baseEnv.POSTGRES_HOST, Number(baseEnv.POSTGRES_PORT));
      await proxy.start();
      // The runner connects through the proxy, so its backends are found by their client
      // ports, and the proxy can cut it off; the writer connects directly and goes on.
      const writer = new FaultApp({
        name: upstreamName,
        env: { ...baseEnv, PERSISTENCE_MODULE: 'postgres' },
      });
      const killer = await rawClient();
      class Upstream extends FaultApp {
        static override name = upstreamName;
      }
      class Rows extends RowsProjection<PostgresRowsView> {
        static override name = `${prefix}_rows`;
      }
      const errors: [Error, string][] = [];
      const runner = new ProjectionRunner({
        applicationClass: Upstream,
        projectionClass: Rows,
        viewClass: PostgresRowsView,
        env: {
          ...baseEnv,
          PERSISTENCE_MODULE: 'postgres',
          POSTGRES_PORT: String(proxy.port),
          POSTGRES_CONNECT_TIMEOUT: '2',
        },
        batchSize: 50,
        onError: (error, source) => errors.push([error, source]),
      });
      let writing = true;
      let writing$: Promise<unknown> = Promise.resolve();
      try {
        await writer.recorder.ready?.();
        let saves = 0;
        writing$ = Promise.all(
          Array.from({ length: 4 }, async () => {
            while (writing) {
              await writer.save(newItem('w', Math.floor(Math.random() * 3)));
              saves++;
              await sleep(5);
            }
          }),
        );
        // The first events are processed before the faults begin.
        const first = (await writer.save(newItem('w', 0)))[0]!.notification.id;
        await runner.wait(first, { timeout: 10_000 });

        let terminated = 0;
        const terminate = async () => {
          // Chosen first, terminated after: in one query the planner may call
          // pg_terminate_backend before the filter, on other connections.
          const chosen = await killer.query({
            text:
              'SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[]) ' +
              'AND client_addr IS NOT NULL AND pid <> pg_backend_pid()',
            values: [proxiedPorts(proxy)],
          });
          const result = await killer.query({
            text: 'SELECT count(*)::int AS n FROM unnest($1::int[]) pid WHERE pg_terminate_backend(pid)',
            values: [(chosen.rows as { pid: number }[]).map((r) => r.pid)],
          });
          terminated += (result.rows[0] as { n: number }).n;
        };
        for (let round = 0; round < 12; round++) {
          await sleep(150 + Math.random() * 100);
          await terminate();
        }
        t.diagnostic(`cutting the runner's connections for 1.5 s`);
        await proxy.cut();
        await sleep(1500);
        await proxy.restore();
        await sleep(500);
        await terminate();
        await sleep(500);
        writing = false;
        await writing$;

        const head = (await writer.recorder.maxNotificationId())!;
        await runner.wait(head, { timeout: 20_000 });
        assert.equal(runner.isInterrupted, false, 'the runner stopped');
        const state = await runner.view.state();
        assert.deepEqual(
          state.ids,
          Array.from({ length: head }, (_, i) => i + 1),
          'the view does not hold each upstream event once',
        );
        assert.equal(state.counter, head);
        assert.ok(terminated >= 12, `only ${terminated} backends terminated`);
        // The runner's retries are told as 'projection' errors, all of them transient; the
        // pool and the LISTEN connection tell of their lost connections ('pool', 'listen').
        const retried = errors.filter(([, source]) => source === 'projection');
        assert.ok(
          errors.some(([, source]) => source === 'listen'),
          'the LISTEN connection was not lost',
        );
        assert.ok(retried.length >= 1, 'onError saw no retried error');
        for (const [error, source] of errors) {
          assert.notEqual(source, 'projection-stopped', `the runner stopped: ${error.stack}`);
        }
        for (const [error] of retried) {
          assert.ok(
            error instanceof OperationalError || error instanceof InterfaceError,
            `a retried error is not transient: ${error.stack}`,
          );
        }
        t.diagnostic(
          `${saves} saves, ${head} events; ${terminated} backends terminated; onError saw ` +
            [...count(errors.map(([e, source]) => `${source} ${e.constructor.name}`))]
              .map(([what, n]) => `${n} × ${what}`)
              .join(', '),
        );
      } finally {
        writing = false;
        await writing$.catch(() => {});
        await runner.stop().catch(() => {});
        await killer.end();
        await writer.close();
        await proxy.close();
      }
    });
  });
});

describe("a runner's process", () => {
  const run = async (backend: string, env: Record<string, string>) => {
    const { result, lingerMs } = await runUntilExitTimed(
      exitScript,
      [`${prefix}_exit_${backend}`, `${prefix}_v_${backend}`, `${prefix}_e_${backend}`, backend],
      { ...process.env, ...env },
    );
    const counts = result as Record<string, number | boolean>;
    assert.equal(counts.rows, counts.view, 'the view did not count every event');
    assert.equal(counts.echoes, counts.echoed, 'the event-sourced projection missed events');
    assert.equal(counts.interrupted, true);
    assert.ok(lingerMs < 3000, `the process lived ${Math.round(lingerMs)} ms after its work`);
  };

  test('exits by itself after its runners stop, in memory', () =>
    run('memory', { PERSISTENCE_MODULE: 'memory' }));

  test('exits by itself after its runners stop, on SQLite', () =>
    run('sqlite', {
      PERSISTENCE_MODULE: 'sqlite',
      SQLITE_DBNAME: tempDbPath('exit-up'),
      [`${prefix}_V_SQLITE_SQLITE_DBNAME`.toUpperCase()]: tempDbPath('exit-view'),
      [`${prefix}_E_SQLITE_SQLITE_DBNAME`.toUpperCase()]: tempDbPath('exit-echoes'),
    }));

  whenPostgres(() => {
    test('exits by itself after its runners stop, on PostgreSQL', () =>
      run('postgres', { ...baseEnv, PERSISTENCE_MODULE: 'postgres' }));
  });
});
