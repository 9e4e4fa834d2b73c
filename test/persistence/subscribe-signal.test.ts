import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { baseEnv, dropPrefix, unavailable } from '../postgres/helpers.js';

const child = fileURLToPath(new URL('./fixtures/abort-exit-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'es-abort-'));
const prefix = `es_abort_${randomBytes(4).toString('hex')}`;

const expected = {
  beforeStartDone: true,
  first: 1,
  afterAbortDone: true,
  abortListenersLeft: 0,
  listeners: 0,
};

describe('recorder.subscribe({ signal }) in a process that never closes its factory', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('memory: an aborted subscription ends, and the process exits by itself', async () => {
    assert.deepEqual(await runUntilExit(child, ['memory']), expected);
  });

  test('SQLite: an aborted subscription ends, and its poll timer does not keep the process alive', async () => {
    assert.deepEqual(
      await runUntilExit(child, ['sqlite', 'abort', join(dir, 'abort.db')]),
      expected,
    );
  });

  test('PostgreSQL: an aborted subscription ends, and its LISTEN connection does not keep the process alive', {
    // In CI a missing server is a failure, not a skip (as for every PostgreSQL test).
    skip: process.env.CI === 'true' ? false : (unavailable ?? false),
  }, async () => {
    after(() => dropPrefix(prefix));
    assert.deepEqual(
      await runUntilExit(child, ['postgres', prefix], { ...process.env, ...baseEnv }),
      expected,
    );
  });
});
