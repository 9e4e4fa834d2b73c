import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';

const child = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));

test('a process that subscribes, waits, stops and closes exits by itself', async () => {
  assert.deepEqual(await runUntilExit(child), {
    first: 1,
    lastDone: true,
    interrupted: true,
    closedWait: true,
    closedNextDone: true,
    listeners: 0,
  });
});
