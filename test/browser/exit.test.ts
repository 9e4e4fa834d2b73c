// Stopping leaves nothing running: a process that served the event browser to Chromium, with
// a live tail open, exits by itself once it has stopped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { whenChromium } from './helpers.js';

whenChromium(() =>
  test('a process that served the browser, a live tail open, exits by itself once stopped', async () => {
    const file = fileURLToPath(new URL('./fixtures/exit.ts', import.meta.url));
    assert.deepEqual(await runUntilExit(file), { rows: 1, tailClosed: true });
  }),
);
