/**
 * `--python`: the Python library's runners on the systems workload, run by
 * bench/python/system_bench.py with `PYTHON` (default /usr/bin/python3) and the library's source from
 * `PYEVENTSOURCING_PATH` (default /tmp/pyes; nothing of it is committed). A missing Python or
 * library is reported and skipped, not an error.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StoreSettings } from './backends.js';
import type { BenchOptions } from './options.js';
import type { PythonSystemFigures } from './system-report.js';
import type { Progress } from './w1-figures.js';

/** Runs the Python script (1 in flight: its runners' saves are synchronous) and returns its rows. */
export async function runPythonSystems(
  options: Pick<BenchOptions, 'dogs' | 'tricks' | 'backends'>,
  settings: StoreSettings,
  progress: Progress,
): Promise<PythonSystemFigures[]> {
  const library = process.env.PYEVENTSOURCING_PATH ?? '/tmp/pyes';
  if (!existsSync(`${library}/eventsourcing/system.py`)) {
    progress(
      `python: skipped (no eventsourcing/system.py under ${library}; see docs/benchmarks.md)`,
    );
    return [];
  }
  // Debian's interpreter, which has Debian's psycopg (a pyenv shim's python3 may not).
  const python =
    process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const script = fileURLToPath(new URL('./python/system_bench.py', import.meta.url));
  const p = settings.postgres;
  const args = [
    script,
    '--dogs',
    String(options.dogs),
    '--tricks',
    String(options.tricks),
    '--backends',
    options.backends.join(','),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const proc = spawn(python, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        PYTHONPATH: library,
        POSTGRES_HOST: p.host,
        POSTGRES_PORT: String(p.port),
        POSTGRES_USER: p.user,
        POSTGRES_PASSWORD: p.password,
        POSTGRES_DBNAME: p.database,
      },
    });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`bench/python/system_bench.py exited with ${code}`));
    });
  });
  return JSON.parse(output.trim().split('\n').pop() ?? '[]') as PythonSystemFigures[];
}
