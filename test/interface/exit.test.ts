// Closing the server and the applications leaves nothing open: a child process that served a
// log and followed it over HTTP exits by itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';

test('a process that served and followed a log over HTTP exits by itself once closed', async () => {
  const file = fileURLToPath(new URL('./fixtures/exit.ts', import.meta.url));
  assert.deepEqual(await runUntilExit(file), { seen: 12 });
});
