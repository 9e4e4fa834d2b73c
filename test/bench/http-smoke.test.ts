// Smoke test of the `http` entries of `npm run bench` (issue 14): the quickest run of
// `--only http` on memory and SQLite, and on PostgreSQL when it is reachable, checking the
// JSON shape, that every figure is a positive number, target 14 evaluated from them, and the
// table printed from them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BenchReport, formatTable } from '../../bench/report.js';
import { baseEnv, whenPostgres } from '../postgres/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DOGS = 30;
const TRICKS = 2;
/** W1's events: a registration and the tricks of each dog. */
const NOTIFICATIONS = DOGS * (TRICKS + 1);

/** The quickest http-only run on `backends`; resolves to its JSON document. */
function benchHttp(backends: string): BenchReport {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/run.ts',
      '--json',
      '--quick',
      '--only',
      'http',
      '--backends',
      backends,
      '--dogs',
      String(DOGS),
      '--tricks',
      String(TRICKS),
    ],
    { cwd: root, env: { ...process.env, ...baseEnv }, encoding: 'utf8', timeout: 240_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /http: over HTTP .*\/s, local .*\/s/, 'progress on stderr');
  return JSON.parse(run.stdout) as BenchReport;
}

const isPositive = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

const KEYS = ['backend', 'notifications', 'notifications_per_s', 'local_notifications_per_s'];

/** Checks the entries: one per backend, in order, with the whole W1 log read. */
function checkEntries(doc: BenchReport, backends: readonly string[]): void {
  const entries = doc.http ?? [];
  assert.deepEqual(
    entries.map((e) => e.backend),
    backends,
  );
  for (const e of entries) {
    assert.deepEqual(Object.keys(e).sort(), [...KEYS].sort(), e.backend);
    assert.equal(e.notifications, NOTIFICATIONS, e.backend);
    assert.ok(isPositive(e.notifications_per_s), `${e.backend}: ${e.notifications_per_s}`);
    assert.ok(
      isPositive(e.local_notifications_per_s),
      `${e.backend}: ${e.local_notifications_per_s}`,
    );
  }
}

describe('npm run bench -- --only http', () => {
  it('reads the log over HTTP and locally on memory and SQLite, with target 14 evaluated', () => {
    const doc = benchHttp('memory,sqlite');
    checkEntries(doc, ['memory', 'sqlite']);
    assert.deepEqual(doc.results, [], 'W1 does not run');
    assert.deepEqual(doc.projections, [], 'the projections do not run');
    assert.deepEqual(doc.system, [], 'the systems do not run');
    assert.deepEqual(
      doc.targets.map((t) => [t.id, typeof t.met]),
      [
        [1, 'object'],
        [2, 'object'],
        [3, 'object'],
        [4, 'object'],
        [5, 'object'],
        [6, 'object'],
        [7, 'object'],
        [8, 'object'],
        [9, 'object'],
        [10, 'object'],
        [11, 'object'],
        [12, 'object'],
        [13, 'object'],
        [14, 'boolean'],
        [15, 'object'],
        [16, 'object'],
        [17, 'object'],
      ],
      'only target 14 is evaluated',
    );
    assert.match(doc.targets[13]!.measured, /^sqlite [\d.]+×$/, 'memory is not in target 14');
    const table = formatTable(doc);
    assert.match(table, /\| memory \| 90 \| [\d,]+ \| [\d,]+ \| [\d.]+× \|/);
    assert.match(table, /\| sqlite \| 90 \| [\d,]+ \| [\d,]+ \| [\d.]+× \(≥ 0\.30×\) \|/);
  });

  whenPostgres(() => {
    it('reads the log over HTTP and locally on PostgreSQL', () => {
      const doc = benchHttp('postgres');
      checkEntries(doc, ['postgres']);
      assert.match(doc.targets.find((t) => t.id === 14)!.measured, /^postgres [\d.]+×$/);
    });
  });
});
