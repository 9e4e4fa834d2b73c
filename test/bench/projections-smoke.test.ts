// Smoke test of the projections entries of `npm run bench` (issue 12): the quickest run of
// `--only projections` on memory and SQLite, and on PostgreSQL when it is reachable (failing
// instead under CI=true), checking the JSON shape, that every figure is a positive number,
// and the table the report prints from it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BenchReport, formatTable } from '../../bench/report.js';
import { baseEnv, whenPostgres } from '../postgres/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const EVENTS = 300;

/** The quickest projections-only run on `backends`; resolves to its JSON document. */
function benchProjections(backends: string): BenchReport {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/run.ts',
      '--json',
      '--quick',
      '--only',
      'projections',
      '--backends',
      backends,
      '--projection-events',
      String(EVENTS),
      '--latency-samples',
      '5',
    ],
    { cwd: root, env: { ...process.env, ...baseEnv }, encoding: 'utf8', timeout: 240_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /catch-up .*\/s/, 'progress goes to stderr');
  return JSON.parse(run.stdout) as BenchReport;
}

const isPositive = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

const KEYS = [
  'backend',
  'kind',
  'events',
  'catchup_per_s',
  'log_read_per_s',
  'latency_p50_ms',
  'latency_p99_ms',
  'raw_latency_p50_ms',
];

/** Checks the projections entries of `doc` for `backends`, in order. */
function checkEntries(doc: BenchReport, backends: readonly string[]): void {
  const entries = doc.projections;
  assert.deepEqual(
    entries.map((p) => [p.backend, p.kind]),
    backends.flatMap((b) => [
      [b, 'view'],
      [b, 'event-sourced'],
    ]),
  );
  for (const p of entries) {
    const label = `${p.backend} ${p.kind}`;
    assert.deepEqual(Object.keys(p).sort(), [...KEYS].sort(), label);
    assert.equal(p.events, EVENTS, label);
    for (const key of ['catchup_per_s', 'log_read_per_s', 'latency_p50_ms', 'latency_p99_ms']) {
      const value = (p as unknown as Record<string, unknown>)[key];
      assert.ok(isPositive(value), `${label}: ${key} = ${String(value)}`);
    }
    assert.ok(p.latency_p99_ms >= p.latency_p50_ms, `${label}: p99 below p50`);
    if (p.backend === 'postgres' && p.kind === 'view') {
      assert.ok(isPositive(p.raw_latency_p50_ms), `raw_latency_p50_ms = ${p.raw_latency_p50_ms}`);
    } else {
      assert.equal(p.raw_latency_p50_ms, null, `${label}: no bare pipeline`);
    }
  }
}

describe('npm run bench -- --only projections', () => {
  it('measures a counting view and an event-sourced projection on memory and SQLite', () => {
    const doc = benchProjections('memory,sqlite');
    checkEntries(doc, ['memory', 'sqlite']);
    assert.deepEqual(doc.results, [], 'W1 does not run');
    assert.deepEqual(doc.snapshots, [], 'the snapshot timing does not run');
    assert.equal(doc.memory, null, 'the memory growth does not run');
    assert.equal(doc.workload.projection_events, EVENTS);
    assert.equal(doc.workload.latency_samples, 5);

    const targets = doc.targets;
    assert.deepEqual(
      targets.map((t) => t.id),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    );
    assert.equal(typeof targets[7]!.met, 'boolean', 'the view target is evaluated');
    assert.equal(typeof targets[8]!.met, 'boolean', 'the event-sourced target is evaluated');
    assert.equal(targets[9]!.met, null, 'the latency target needs PostgreSQL');

    const table = formatTable(doc);
    assert.match(table, /\| memory \| view \| 300 \| [\d,]+ \| [\d,]+ \| [\d.]+× \(≥ 0\.40×\) \|/);
    assert.match(table, /\| sqlite \| event-sourced \| 300 \| .* \(≥ 0\.15×\) \|/);
  });

  whenPostgres(() => {
    it('measures both kinds on PostgreSQL, with the bare pg pipeline next to the view', () => {
      const doc = benchProjections('postgres');
      checkEntries(doc, ['postgres']);
      const latency = doc.targets.find((t) => t.id === 10)!;
      assert.equal(typeof latency.met, 'boolean');
      assert.match(formatTable(doc), /\| postgres \| view \| .* \(≤ 1\.50×\) \|/);
    });
  });
});
