// Smoke test of `npm run bench:peers` on its library side only (--library-only: Emmett is never
// installed by the tests), tiny sizes, in worker processes as in a real run; and its table.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatPeersTable, type PeersReport } from '../../bench/peers/peers-report.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function peers(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/peers/run.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const rates = (register: number, command: number, get: number, read: number | null) => ({
  rates: { register_per_s: register, command_per_s: command, get_per_s: get, read_per_s: read },
});

describe('npm run bench:peers', () => {
  it('--library-only --json measures the library in a worker and prints one JSON document', () => {
    const run = peers([
      '--library-only',
      '--json',
      '--backends',
      'memory',
      '--dogs',
      '20',
      '--tricks',
      '2',
      '--inflight',
      '1,4',
      '--repeat',
      '2',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /\[bench:peers\] memory library ×4 get/, 'progress goes to stderr');
    const report = JSON.parse(run.stdout) as PeersReport;
    assert.equal(report.emmett, null, 'no Emmett in a library-only run');
    assert.deepEqual(
      report.results.map((r) => [r.backend, r.inFlight, r.emmett]),
      [
        ['memory', 1, null],
        ['memory', 4, null],
      ],
    );
    for (const r of report.results) {
      assert.ok('rates' in r.library, JSON.stringify(r.library));
      for (const value of Object.values(r.library.rates)) {
        assert.ok(typeof value === 'number' && value > 0 && Number.isFinite(value));
      }
    }
    assert.equal(report.workload.dogs, 20);
  });

  it('rejects a bad option with a message naming it and a non-zero exit', () => {
    const run = peers(['--dogs', '0']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--dogs must be an integer ≥ 1, got "0"/);
    assert.equal(run.stdout, '');
  });

  it('the table puts Emmett beside the library, with the ratio, and says why a cell is missing', () => {
    const report: PeersReport = {
      machine: {},
      workload: {},
      emmett: { version: '0.42.0' },
      results: [
        {
          backend: 'memory',
          inFlight: 1,
          library: rates(2000, 1000, 4000, 9000),
          emmett: rates(1000, 1000, 5000, null),
        },
        {
          backend: 'sqlite',
          inFlight: 8,
          library: rates(300, 200, 100, 50),
          emmett: { error: 'SQLITE_BUSY: database is locked' },
        },
      ],
    };
    const table = formatPeersTable(report);
    assert.match(
      table,
      /\| memory \| 1 \| 2,000 \/ 1,000 \(2\.00×\) \| 1,000 \/ 1,000 \(1\.00×\) \| 4,000 \/ 5,000 \(0\.80×\) \| 9,000 \/ – \|/,
    );
    assert.match(table, /\| sqlite \| 8 \| 300 \/ failed \|/);
    assert.match(table, /Emmett on sqlite at 8 in flight failed: SQLITE_BUSY: database is locked/);
    assert.match(table, /in-memory store has no API that reads the whole log/);
  });
});
