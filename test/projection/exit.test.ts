// A process that runs projections and stops them exits by itself (nothing left running).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

const child = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));
const expected = {
  counts: [1, 2],
  failed: 'PoisonError',
  stopped: 'PoisonError',
  interrupted: true,
};

describe('a process with projection runners', () => {
  it('exits by itself after stopping them (SQLite)', async () => {
    const args = ['sqlite', 'ExitUp', 'ExitCounters', tempDbPath('app'), tempDbPath('view')];
    assert.deepEqual(await runUntilExit(child, args), expected);
  });

  whenPostgres(() => {
    it('exits by itself after stopping them (PostgreSQL)', async (t) => {
      const prefix = `pjexit${randomBytes(3).toString('hex')}`;
      t.after(() => dropPrefix(prefix));
      const env = { ...process.env, ...baseEnv };
      assert.deepEqual(
        await runUntilExit(child, ['postgres', `${prefix}u`, `${prefix}c`], env),
        expected,
      );
    });
  });
});
