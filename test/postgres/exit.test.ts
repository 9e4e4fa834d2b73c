import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const name = `es_exit_${randomBytes(4).toString('hex')}`;

whenPostgres(() => {
  after(() => dropPrefix(name));

  test('a process that writes, subscribes, waits and closes exits by itself', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, name], {
      cwd: root,
      env: { ...process.env, ...baseEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // A guard against hanging for ever, not a speed check: an open pool or LISTEN connection
    // would keep the child alive far longer than this.
    let killed = false;
    const guard = setTimeout(() => {
      killed = true;
      proc.kill('SIGKILL');
    }, 30_000);
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    clearTimeout(guard);
    assert.equal(killed, false, `the child did not exit by itself; stderr: ${stderr}`);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout.trim()), {
      first: 1,
      lastDone: true,
      interrupted: true,
      closedWait: true,
      closedNextDone: true,
      listeners: 0,
    });
  });
});
