// Smoke test of the `dcb` entries of `npm run bench` (issue 15): the quickest run of
// `--only dcb` on memory and SQLite, and on PostgreSQL when it is reachable, checking the JSON
// shape, that every figure is a positive number, and targets 15-17 evaluated from them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from '../../bench/report.js';
import { baseEnv, whenPostgres } from '../postgres/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The quickest dcb-only run on `backends`; resolves to its JSON document. */
function benchDcb(backends: string): BenchReport {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/run.ts',
      '--json',
      '--quick',
      '--only',
      'dcb',
      '--backends',
      backends,
      '--dogs',
      '40',
      '--tricks',
      '2',
    ],
    { cwd: root, env: { ...process.env, ...baseEnv }, encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as BenchReport;
}

const isPositive = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

/** Checks one entry per backend and number in flight, each with positive figures. */
function checkEntries(doc: BenchReport, backends: readonly string[]): void {
  const entries = doc.dcb ?? [];
  assert.deepEqual([...new Set(entries.map((e) => e.backend))], backends);
  for (const e of entries) {
    const where = `${e.backend} at ${e.inFlight}`;
    assert.ok([1, 8, 64].includes(e.inFlight), where);
    assert.equal(e.commands, 80, where);
    assert.ok(isPositive(e.append_per_s), `${where}: ${e.append_per_s}`);
    assert.ok(isPositive(e.read_per_s), `${where}: ${e.read_per_s}`);
    if (e.backend === 'memory') assert.equal(e.raw, null, 'memory has no bare driver');
    else {
      assert.ok(isPositive(e.raw?.append_per_s), where);
      assert.ok(isPositive(e.raw?.read_per_s), where);
    }
  }
}

describe('npm run bench -- --only dcb', () => {
  it('runs the course subscriptions on memory and SQLite, with the SQLite target evaluated', () => {
    const doc = benchDcb('memory,sqlite');
    checkEntries(doc, ['memory', 'sqlite']);
    const byId = new Map(doc.targets.map((t) => [t.id, t]));
    assert.equal(byId.get(15)?.met, null, 'PostgreSQL is not measured');
    assert.equal(byId.get(16)?.met, null, 'PostgreSQL is not measured');
    assert.equal(typeof byId.get(17)?.met, 'boolean', 'the SQLite target is evaluated');
  });

  whenPostgres(() => {
    it('runs the course subscriptions on PostgreSQL, with its targets evaluated', () => {
      const doc = benchDcb('postgres');
      checkEntries(doc, ['postgres']);
      const byId = new Map(doc.targets.map((t) => [t.id, t]));
      assert.equal(typeof byId.get(15)?.met, 'boolean');
      assert.equal(typeof byId.get(16)?.met, 'boolean');
    });
  });
});
