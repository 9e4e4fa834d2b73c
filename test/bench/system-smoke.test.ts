// Smoke test of the systems entries of `npm run bench` (issue 13): the quickest run of
// `--only system` on memory and SQLite, and on PostgreSQL when it is reachable, checking the
// JSON shape, that every figure is a positive number, the targets evaluated from them, and the
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

/** The quickest system-only run on `backends`; resolves to its JSON document. */
function benchSystem(backends: string): BenchReport {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/run.ts',
      '--json',
      '--quick',
      '--only',
      'system',
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
  assert.match(run.stderr, /ConcurrentRunner ×1: leader .*\/s, processed/, 'progress on stderr');
  return JSON.parse(run.stdout) as BenchReport;
}

const isPositive = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

const KEYS = [
  'runner',
  'backend',
  'inFlight',
  'commands',
  'leader_command_per_s',
  'processed_per_s',
  'lag_p50_ms',
  'lag_p99_ms',
];

/** Checks the entries of `backend`: each runner at 1 and 64 in flight. */
function checkEntries(doc: BenchReport, backend: string, runners: readonly string[]): void {
  const entries = (doc.system ?? []).filter((e) => e.backend === backend);
  const multi = runners.includes('MultiProcessRunner');
  const measured =
    multi && entries.every((e) => e.runner !== 'MultiProcessRunner')
      ? runners.filter((r) => r !== 'MultiProcessRunner')
      : runners;
  if (measured !== runners) {
    assert.ok(
      (doc.system_notes ?? []).some((n) => n.startsWith(`${backend}: MultiProcessRunner skipped`)),
      'a runner not measured is noted with the reason',
    );
  }
  assert.deepEqual(
    entries.map((e) => [e.runner, e.inFlight]),
    measured.flatMap((r) => [
      [r, 1],
      [r, 64],
    ]),
  );
  for (const e of entries) {
    const label = `${e.runner} ${e.backend} ×${e.inFlight}`;
    assert.deepEqual(Object.keys(e).sort(), [...KEYS].sort(), label);
    assert.equal(e.commands, DOGS * TRICKS, label);
    for (const key of ['leader_command_per_s', 'processed_per_s', 'lag_p99_ms']) {
      const value = (e as unknown as Record<string, unknown>)[key];
      assert.ok(isPositive(value), `${label}: ${key} = ${String(value)}`);
    }
    // The follower cannot finish before the leader's last command did.
    assert.ok(
      e.processed_per_s <= e.leader_command_per_s * 1.0001,
      `${label}: processed above leader`,
    );
    assert.ok(e.lag_p99_ms >= e.lag_p50_ms, `${label}: p99 below p50`);
  }
}

describe('npm run bench -- --only system', () => {
  it('measures the runners on memory and SQLite, with targets 11-13 evaluated', () => {
    const doc = benchSystem('memory,sqlite');
    checkEntries(doc, 'memory', ['SingleThreadedRunner', 'ConcurrentRunner']);
    checkEntries(doc, 'sqlite', ['SingleThreadedRunner', 'ConcurrentRunner', 'MultiProcessRunner']);
    assert.deepEqual(doc.results, [], 'W1 does not run');
    assert.deepEqual(doc.projections, [], 'the projections do not run');
    assert.ok(isPositive(doc.system_w1_memory_command_per_s), 'W1 in memory is measured beside');
    const targets = doc.targets;
    assert.deepEqual(
      targets.slice(10).map((t) => [t.id, typeof t.met]),
      [
        [11, 'boolean'],
        [12, 'boolean'],
        [13, 'boolean'],
        [14, 'object'],
        [15, 'object'],
        [16, 'object'],
        [17, 'object'],
      ],
      'targets 14-17 (http, DCB) are not measured',
    );
    const table = formatTable(doc);
    assert.match(
      table,
      /\| ConcurrentRunner \| sqlite \| 1 \| 60 \| [\d,]+ \| [\d,]+ \| [\d.]+× \(≥ 0\.90×\) \|/,
    );
    assert.match(table, /\| SingleThreadedRunner \| memory \| 64 \| 60 \| /);
  });

  whenPostgres(() => {
    it('measures the runners on PostgreSQL', () => {
      const doc = benchSystem('postgres');
      checkEntries(doc, 'postgres', [
        'SingleThreadedRunner',
        'ConcurrentRunner',
        'MultiProcessRunner',
      ]);
      assert.equal(doc.targets.find((t) => t.id === 13)!.met, null, 'target 13 needs memory');
    });
  });
});
