import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { tempDbPath } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));

test('a process that writes, subscribes, waits, stops and closes on SQLite exits by itself', async () => {
  assert.deepEqual(await runUntilExit(child, [tempDbPath()]), {
    first: 1,
    lastDone: true,
    interrupted: true,
    closedWait: true,
    closedNextDone: true,
    listeners: 0,
    closed: true,
  });
});
