import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { removeDb, tempDbPath } from '../sqlite/helpers.js';
import { type KillCounts, runKillScenario } from './writer-processes.js';

const prefix = `es_kill_${randomBytes(4).toString('hex')}`;

function describeCounts(counts: KillCounts): string {
  return (
    `${counts.processes} writer processes, ${counts.kills} killed; saves begun ${counts.begun}, ` +
    `acknowledged ${counts.acknowledged}, failed ${counts.failed}, killed mid-flight ` +
    `${counts.killedMidFlight} (of which stored whole ${counts.storedUnacknowledged}); ` +
    `${counts.events} events of ${counts.aggregates} aggregates stored, ${counts.tailed} seen ` +
    'by the tailing reader'
  );
}

describe('kill -9 of writer processes', () => {
  test('SQLite: every acknowledged save is stored whole, no save is partly stored, ids increase in commit order, and every aggregate can be continued', async (t) => {
    const path = tempDbPath('kill');
    try {
      const counts = await runKillScenario({
        appName: 'KillWriters',
        env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: path },
        writers: 3,
        inFlight: 4,
        durationMs: 5000,
        killEveryMs: [300, 900],
      });
      t.diagnostic(describeCounts(counts));
      assert.ok(counts.kills >= 5, `only ${counts.kills} kills`);
      assert.ok(counts.acknowledged >= 200, `only ${counts.acknowledged} saves acknowledged`);
    } finally {
      removeDb(path);
    }
  });

  whenPostgres(() => {
    after(() => dropPrefix(prefix));

    test('PostgreSQL with many saves in flight (group commit): every acknowledged save is stored whole, no save is partly stored, ids increase in commit order, and every aggregate can be continued', async (t) => {
      const counts = await runKillScenario({
        appName: `${prefix}_app`,
        env: { ...baseEnv, PERSISTENCE_MODULE: 'postgres' },
        writers: 3,
        inFlight: 16,
        durationMs: 5000,
        killEveryMs: [300, 900],
      });
      t.diagnostic(describeCounts(counts));
      assert.ok(counts.kills >= 5, `only ${counts.kills} kills`);
      assert.ok(counts.acknowledged >= 200, `only ${counts.acknowledged} saves acknowledged`);
      assert.ok(counts.killedMidFlight >= 5, `only ${counts.killedMidFlight} killed mid-flight`);
    });
  });
});
