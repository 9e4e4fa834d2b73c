import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { EnvType } from '../utils/environment.js';
import { UsageError } from './usage-error.js';

/**
 * The environment of a command: the variables of `--env-file` (KEY=VALUE lines, as Node's
 * `--env-file` reads them), under the process's own, which win, as with Node's `--env-file`
 * and dotenv: a variable set in the shell overrides the file.
 *
 * @throws UsageError when the file cannot be read.
 * @internal
 */
export function commandEnvironment(envFile: string | undefined): EnvType {
  if (envFile === undefined) return { ...process.env };
  let text: string;
  try {
    text = readFileSync(envFile, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new UsageError(`--env-file: cannot read '${envFile}' (${reason}).`);
  }
  return { ...parseEnv(text), ...process.env };
}
