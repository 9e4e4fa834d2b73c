import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));
const name = `es_exit_${randomBytes(4).toString('hex')}`;

whenPostgres(() => {
  after(() => dropPrefix(name));

  test('a process that writes, subscribes, waits and closes exits by itself', async () => {
    assert.deepEqual(await runUntilExit(child, [name], { ...process.env, ...baseEnv }), {
      first: 1,
      lastDone: true,
      interrupted: true,
      closedWait: true,
      closedNextDone: true,
      listeners: 0,
    });
  });
});
