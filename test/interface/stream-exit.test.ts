// Closing the server, the handler's streams and the subscriptions leaves nothing open: a child
// process that served a stream and subscribed to it over HTTP exits by itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';

test('a process that served and subscribed to a stream over HTTP exits by itself once closed', async () => {
  const file = fileURLToPath(new URL('./fixtures/stream-exit.ts', import.meta.url));
  assert.deepEqual(await runUntilExit(file), {
    first: 12,
    second: [4, 5, 6, 7, 8, 9, 10, 11, 12],
    thirdDone: true,
  });
});
