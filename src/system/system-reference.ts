import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { System } from './system.js';

/**
 * Where a system is defined, for processes that import it themselves (`MultiProcessRunner`'s
 * children, `eventsourcing run`): a module and the name of its export that is the `System`.
 */
export interface SystemReference {
  /**
   * The module: a URL (`file:///…/system.js`, `import.meta.resolve('./system.js')`), a path
   * (absolute, or relative to the current directory), or a package specifier.
   */
  readonly module: string;
  /** The name of the module's export that is the `System` (e.g. `system`, or `default`). */
  readonly export: string;
}

/**
 * The specifier a reference's module is imported with, the same in every process: a URL as
 * it is, a path (absolute, starting with `.`, or naming an existing file relative to the
 * current directory) as a `file:` URL, and anything else as a package specifier.
 *
 * @internal
 */
export function moduleSpecifier(module: string): string {
  if (/^[a-z][a-z0-9+.-]+:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  if (isAbsolute(module) || module.startsWith('.') || existsSync(resolve(module))) {
    return pathToFileURL(resolve(module)).href;
  }
  return module;
}

/**
 * Imports the module of a system reference and returns its `System`. Rejects with an error
 * naming the module when it cannot be imported, has no such export, or the export is not a
 * `System`.
 *
 * @internal
 */
export async function importSystem(reference: SystemReference): Promise<System> {
  checkSystemReference(reference);
  const specifier = moduleSpecifier(reference.module);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `Cannot import the system's module '${reference.module}': ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  const value = mod[reference.export];
  if (!(value instanceof System)) {
    const exports = Object.keys(mod).join(', ') || 'none';
    throw new TypeError(
      `The export '${reference.export}' of '${reference.module}' is ${
        value === undefined ? 'missing' : `not a System (${typeof value})`
      }: export the system (export const system = new System([...])) and name that export ` +
        `(its exports: ${exports}).`,
    );
  }
  return value;
}

/**
 * Checks the shape of a system reference (a non-empty `module` and `export`).
 *
 * @internal
 */
export function checkSystemReference(reference: SystemReference): void {
  if (
    reference === null ||
    typeof reference !== 'object' ||
    typeof reference.module !== 'string' ||
    reference.module === '' ||
    typeof reference.export !== 'string' ||
    reference.export === ''
  ) {
    throw new TypeError(
      'A system reference is { module, export }: the module that defines the system (a URL, a ' +
        'path or a package) and the name of the export that is the System, e.g. { module: ' +
        "import.meta.resolve('./system.js'), export: 'system' }.",
    );
  }
}
