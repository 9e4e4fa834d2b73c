import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExitTimed } from '../helpers/run-until-exit.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/idle-exit-child.ts', import.meta.url));
const prefix = `es_idle_${randomBytes(4).toString('hex')}`;

// The pool's idle timeout is 10 s: a process that only exits when it fires (or never) lingers
// far longer than this after its last output.
const PROMPT_EXIT_MS = 5000;

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('a PostgreSQL program that never calls close()', () => {
    test('exits by itself soon after an application saves and reads', async () => {
      const { result, lingerMs } = await runUntilExitTimed(child, ['app', `${prefix}_app`], {
        ...process.env,
        ...baseEnv,
      });
      assert.deepEqual(result, { name: 'Fido' });
      assert.ok(lingerMs < PROMPT_EXIT_MS, `lingered ${Math.round(lingerMs)} ms after its work`);
    });

    test('exits by itself soon after its subscription is stopped', async () => {
      const { result, lingerMs } = await runUntilExitTimed(child, ['subscribe', `${prefix}_sub`], {
        ...process.env,
        ...baseEnv,
      });
      assert.deepEqual(result, { received: true, lastDone: true });
      assert.ok(lingerMs < PROMPT_EXIT_MS, `lingered ${Math.round(lingerMs)} ms after its work`);
    });

    test("exits by itself soon after its subscription's signal aborts a waiting next()", async () => {
      const { result, lingerMs } = await runUntilExitTimed(child, ['abort', `${prefix}_abort`], {
        ...process.env,
        ...baseEnv,
      });
      assert.deepEqual(result, { received: true, lastDone: true });
      assert.ok(lingerMs < PROMPT_EXIT_MS, `lingered ${Math.round(lingerMs)} ms after its work`);
    });
  });
});
