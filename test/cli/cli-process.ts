// Runs the `eventsourcing` bin (src/cli/main.ts through tsx) in a child process, for the CLI
// and fault tests: its output so far, waiting for a line, signalling it, and its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A running `eventsourcing` process. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  /** Resolves to the exit code (or the signal's name) once it has exited. */
  readonly exited: Promise<number | string>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resolves once stdout matches; fails after `timeout` ms or when the process exits first. */
  async waitFor(pattern: RegExp, timeout = 20_000): Promise<void> {
    const deadline = Date.now() + timeout;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (!pattern.test(this.stdout)) {
      if (exited || Date.now() > deadline) {
        throw new Error(
          `eventsourcing did not print ${pattern} (${exited ? 'exited' : 'timed out'}); ` +
            `stdout: ${this.stdout}; stderr: ${this.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills it if it is still running (a test's cleanup). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Runs `eventsourcing` to its exit: its code, stdout and stderr. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const cli = new CliProcess(args, env);
  const timer = setTimeout(() => cli.kill(), 30_000);
  const code = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}
