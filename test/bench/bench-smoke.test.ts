// Smoke test of `npm run bench`: a tiny quick run on the memory backend, checking the shape of
// the JSON document that issue 4 specifies, and that bad options fail with a message.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function bench(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const isRate = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('npm run bench', () => {
  it('--quick --json prints one JSON document with the keys of issue 4', () => {
    const run = bench([
      '--quick',
      '--json',
      '--backends',
      'memory',
      '--dogs',
      '50',
      '--tricks',
      '2',
      '--only',
      'w1,snapshots,memory',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /\[bench\] memory ×1 register/, 'progress goes to stderr');
    const doc = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of ['machine', 'workload', 'results', 'snapshots', 'memory', 'projections']) {
      assert.ok(key in doc, `missing ${key}`);
    }

    const machine = doc.machine as Record<string, unknown>;
    assert.equal(typeof machine.cpus, 'number');
    assert.equal(machine.node, process.version);
    assert.ok('postgres' in machine && 'sqlite' in machine, 'durability settings are reported');

    const workload = doc.workload as Record<string, unknown>;
    assert.equal(workload.dogs, 50);
    assert.equal(workload.tricks, 2);
    assert.deepEqual(workload.inFlight, [1, 64]);

    const results = doc.results as Record<string, unknown>[];
    assert.deepEqual(
      results.map((r) => [r.backend, r.inFlight]),
      [
        ['memory', 1],
        ['memory', 64],
      ],
    );
    for (const r of results) {
      for (const key of ['register_per_s', 'command_per_s', 'get_per_s', 'notifications_per_s']) {
        assert.ok(isRate(r[key]), `${key} = ${String(r[key])}`);
      }
      assert.equal(r.raw, null, 'memory has no bare driver');
    }

    const snapshots = doc.snapshots as Record<string, unknown>[];
    assert.equal(snapshots.length, 1);
    const snapshot = snapshots[0]!;
    assert.equal(snapshot.events, 1000);
    assert.ok(isRate(snapshot.get_with_ms) && isRate(snapshot.get_without_ms));
    assert.equal(snapshot.raw_read_ms, null, 'memory has no bare driver');

    const memory = doc.memory as Record<string, unknown>;
    assert.equal(memory.backend, 'memory');
    assert.equal(memory.notifications, 200_000);
    assert.equal(typeof memory.rss_growth_mb, 'number');

    const targets = doc.targets as { id: number; met: boolean | null }[];
    assert.deepEqual(
      targets.map((t) => t.id),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    );
    assert.deepEqual(doc.projections, [], 'the projections (projections-smoke.test.ts) do not run');
    assert.equal(targets[0]!.met, null, 'PostgreSQL targets are not measured on memory alone');
  });

  it('rejects bad options with a message and a non-zero exit', () => {
    const zero = bench(['--dogs', '0', '--backends', 'memory']);
    assert.notEqual(zero.status, 0);
    assert.match(zero.stderr, /--dogs must be an integer ≥ 1, got "0"/);
    const unknown = bench(['--backends', 'memory,oracle']);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /unknown backend 'oracle'/);
    const part = bench(['--only', 'projections,w2']);
    assert.notEqual(part.status, 0);
    assert.match(part.stderr, /--only: unknown part 'w2'/);
  });

  it('fails when an explicitly requested backend is not available', () => {
    const run = bench(['--quick', '--json', '--backends', 'postgres', '--dogs', '5'], {
      ...process.env,
      POSTGRES_PORT: '1',
      POSTGRES_CONNECT_TIMEOUT: '1',
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /backend postgres was asked for but is not available/);
    assert.equal(run.stdout, '', 'no JSON document on failure');
  });
});
