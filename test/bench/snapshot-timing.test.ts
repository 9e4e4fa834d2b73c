// The benchmark's snapshot timing on the real backends: the library's gets with and without a
// snapshot, and the bare driver's read of the snapshot row the library stored (which throws if
// it finds none, so a wrong table or key fails here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BackendName,
  loadPersistenceModule,
  openStore,
  type StoreSettings,
} from '../../bench/backends.js';
import { evaluateTargets } from '../../bench/report.js';
import { runSnapshotTiming } from '../../bench/snapshot-timing.js';
import { baseEnv, whenPostgres } from '../postgres/helpers.js';

const settings: StoreSettings = {
  postgres: {
    host: baseEnv.POSTGRES_HOST,
    port: Number(baseEnv.POSTGRES_PORT),
    user: baseEnv.POSTGRES_USER,
    password: baseEnv.POSTGRES_PASSWORD,
    database: baseEnv.POSTGRES_DBNAME,
  },
  poolSize: 2,
  sqliteSynchronous: 'NORMAL',
};

async function timing(backend: BackendName) {
  await loadPersistenceModule(backend);
  const store = await openStore(backend, settings);
  try {
    return await runSnapshotTiming(store, settings, 10, 3);
  } finally {
    await store.dispose();
  }
}

const isTime = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('snapshot timing', () => {
  it('memory: gets timed both ways, and no bare driver', async () => {
    const figures = await timing('memory');
    assert.equal(figures.events, 10);
    assert.ok(isTime(figures.get_with_ms) && isTime(figures.get_without_ms));
    assert.equal(figures.raw_read_ms, null);
  });

  it('sqlite: the bare driver reads the snapshot row the library stored', async () => {
    const figures = await timing('sqlite');
    assert.ok(isTime(figures.get_with_ms) && isTime(figures.get_without_ms));
    assert.ok(isTime(figures.raw_read_ms), `raw_read_ms = ${figures.raw_read_ms}`);
  });

  whenPostgres(() => {
    it('postgres: the bare driver reads the snapshot row the library stored', async () => {
      const figures = await timing('postgres');
      assert.ok(isTime(figures.get_with_ms) && isTime(figures.get_without_ms));
      assert.ok(isTime(figures.raw_read_ms), `raw_read_ms = ${figures.raw_read_ms}`);
    });
  });

  it("target 6 reports the most a snapshot could gain, from the bare driver's read", () => {
    const targets = evaluateTargets(
      [],
      [
        {
          backend: 'memory',
          events: 1000,
          get_without_ms: 0.5,
          get_with_ms: 0.02,
          raw_read_ms: null,
        },
        {
          backend: 'postgres',
          events: 1000,
          get_without_ms: 2,
          get_with_ms: 0.25,
          raw_read_ms: 0.2,
        },
      ],
      null,
    );
    const six = targets.find((t) => t.id === 6)!;
    assert.equal(six.met, false);
    assert.equal(
      six.measured,
      "memory 25.00× (1000 events); postgres 8.00× (1000 events; the bare driver's read of the " +
        'snapshot row alone allows 10.00×)',
    );
  });
});
