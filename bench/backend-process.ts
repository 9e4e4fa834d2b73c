/**
 * Runs one backend's measurements in a child process of its own. V8 optimises code for the
 * types it has seen: in one process, code shared by every backend (the application, repository
 * and mapper) would be compiled for three recorders at once and run slower than in a program
 * that uses one, which is every real program. The child gets the same arguments, the same
 * TypeScript loader and export conditions, progress on the shared stderr, and prints its figures
 * as JSON on stdout.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendName } from './backends.js';
import type { BackendFigures } from './measure-backend.js';

/** The environment variable that tells run.ts to measure one backend and print its figures. */
export const CHILD_BACKEND = 'EVENTSOURCING_BENCH_BACKEND';

/** Measures `backend` in a child process started with `argv` (this run's arguments). */
export async function measureInChildProcess(
  backend: BackendName,
  argv: readonly string[],
): Promise<BackendFigures> {
  const script = fileURLToPath(new URL('./run.ts', import.meta.url));
  const args = ['--import', 'tsx', script, ...argv];
  const output = await new Promise<string>((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, [CHILD_BACKEND]: backend },
    });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`the ${backend} benchmark process exited with ${code}`));
    });
  });
  return JSON.parse(output.trim().split('\n').pop() ?? '') as BackendFigures;
}
