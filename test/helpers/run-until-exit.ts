import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs a TypeScript file in a child Node process (through tsx) and resolves to what it printed
 * on stdout, parsed as JSON, once it has exited with status 0 by itself. Fails if it has not
 * exited after 30 s: a guard against hanging for ever, not a speed check — a timer, listener,
 * pool or connection left behind would keep it alive far longer than that.
 */
export async function runUntilExit(
  file: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<unknown> {
  const proc = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: root,
    env,
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
  let killed = false;
  const guard = setTimeout(() => {
    killed = true;
    proc.kill('SIGKILL');
  }, 30_000);
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  clearTimeout(guard);
  assert.equal(killed, false, `the child did not exit by itself; stderr: ${stderr}`);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout.trim());
}
