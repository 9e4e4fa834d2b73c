import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What a child run by `runUntilExitTimed` printed, and how long it lingered after that. */
export interface TimedExit {
  /** What the child printed on stdout, parsed as JSON. */
  readonly result: unknown;
  /**
   * Milliseconds from the child's last output on stdout to its exit: the time something it
   * left behind (a pool, a socket, a timer) kept it alive after its work was done.
   */
  readonly lingerMs: number;
}

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
  return (await runUntilExitTimed(file, args, env)).result;
}

/**
 * Like `runUntilExit`, and also says how long the child lived after its last output, so that a
 * test can tell "exits as soon as it is idle" from "exits when an idle timeout fires" without
 * counting the child's start-up (slow and noisy on a loaded machine).
 */
export async function runUntilExitTimed(
  file: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<TimedExit> {
  const proc = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let lastOutput = performance.now();
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    lastOutput = performance.now();
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
  const exitedAt = performance.now();
  clearTimeout(guard);
  assert.equal(killed, false, `the child did not exit by itself; stderr: ${stderr}`);
  assert.equal(code, 0, stderr);
  return { result: JSON.parse(stdout.trim()), lingerMs: exitedAt - lastOutput };
}
