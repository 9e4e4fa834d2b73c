/**
 * The growth of resident memory while iterating many notifications, measured in a child process
 * started with `--expose-gc` (so the baseline is taken after a forced GC) and the same
 * TypeScript loader and export conditions as this process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The memory-growth figure. */
export interface MemoryFigures {
  backend: 'memory';
  notifications: number;
  rss_growth_mb: number;
  baseline_rss_mb: number;
  peak_rss_mb: number;
  iterate_per_s: number;
}

/** Runs the child and returns its measurement. Rejects with the child's stderr when it fails. */
export async function measureMemoryGrowth(notifications: number): Promise<MemoryFigures> {
  const child = fileURLToPath(new URL('./memory-growth-child.ts', import.meta.url));
  const args = ['--expose-gc', '--import', 'tsx', child, String(notifications)];
  const output = await new Promise<string>((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`memory-growth child exited with ${code}: ${stderr.trim()}`));
    });
  });
  const parsed = JSON.parse(output.trim().split('\n').pop() ?? '') as Omit<
    MemoryFigures,
    'backend'
  >;
  return { backend: 'memory', ...parsed };
}
