import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { removeDb, tempDbPath } from '../sqlite/helpers.js';
import { FaultApp } from './fixtures/fault-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/sqlite-load-writer.ts', import.meta.url));
const SAVING_MS = 4000;

/** What a writer process reported. */
interface Report {
  readonly events: [number, string, number][];
  readonly saves: number;
  readonly failures: string[];
  readonly largestGap: number;
  readonly gapAt: number;
}

/** Starts a writer process; resolves once it is ready, with a way to get its report. */
async function startWriter(path: string, tag: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', script, path, String(SAVING_MS), '8', tag],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  for (let i = 0; i < 1500 && !stdout.startsWith('ready\n'); i++) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(stdout.startsWith('ready\n'), `the writer did not start: ${stderr}`);
  return {
    go: () => child.stdin!.end('go\n'),
    async report(): Promise<Report> {
      const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code] = await exited;
      clearTimeout(guard);
      assert.equal(code, 0, stderr);
      return JSON.parse(stdout.slice('ready\n'.length)) as Report;
    },
  };
}

describe('SQLite cross-process contention under load', () => {
  test('two processes saving to one file at once for seconds: every save is stored, none lost, and neither event loop stalls more than 200 ms', async (t) => {
    const path = tempDbPath('contention');
    try {
      const writers = await Promise.all([startWriter(path, 'a'), startWriter(path, 'b')]);
      for (const w of writers) w.go();
      const reports = await Promise.all(writers.map((w) => w.report()));

      const app = new FaultApp({
        name: 'Contention',
        env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: path },
      });
      const stored = await app.recorder.selectNotifications(1, 1_000_000);
      await app.close();
      const acknowledged = reports.flatMap((r) => r.events).sort((x, y) => x[0] - y[0]);
      assert.deepEqual(
        stored.map((n) => [n.id, n.originatorId, n.originatorVersion]),
        acknowledged,
        'the stored events are not exactly the acknowledged ones',
      );
      for (const r of reports) assert.deepEqual(r.failures, []);
      // Both wrote throughout, interleaved: neither just waited for the other to finish.
      const [a, b] = reports.map((r) => r.events.map((e) => e[0]));
      assert.ok(a!.length > 100 && b!.length > 100, `${a!.length} and ${b!.length} events`);
      const overlap = Math.min(a!.at(-1)!, b!.at(-1)!) > Math.max(a![0]!, b![0]!);
      assert.ok(overlap, 'the two processes did not save at the same time');
      t.diagnostic(
        `saves ${reports.map((r) => r.saves).join(' + ')}, ${stored.length} events stored; ` +
          `largest timer gaps ${reports.map((r) => `${r.largestGap.toFixed(0)} ms (at ${r.gapAt.toFixed(0)} ms)`).join(' and ')}`,
      );
      for (const r of reports) {
        assert.ok(r.largestGap < 200, `a timer stalled ${r.largestGap.toFixed(0)} ms`);
      }
    } finally {
      removeDb(path);
    }
  });
});
