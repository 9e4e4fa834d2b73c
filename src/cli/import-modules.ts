import { existsSync } from 'node:fs';
import { moduleSpecifier } from '../system/system-reference.js';
import { UsageError } from './usage-error.js';

/**
 * Imports the user's modules named by `--import` (paths relative to the current directory,
 * URLs or packages), in order, so that the classes they define register their topics and the
 * events of those classes are decoded as the application decodes them.
 *
 * @throws UsageError for a path that does not exist; an Error naming the module when it
 * cannot be imported.
 * @internal
 */
export async function importModules(modules: readonly string[]): Promise<void> {
  for (const module of modules) {
    const specifier = moduleSpecifier(module);
    if ((module.startsWith('.') || module.startsWith('/')) && !existsSync(new URL(specifier))) {
      throw new UsageError(`--import: no such file '${module}'.`);
    }
    try {
      await import(specifier);
    } catch (error) {
      throw new Error(
        `Cannot import '${module}' (--import): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}
