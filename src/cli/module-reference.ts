import type { SystemReference } from '../system/system-reference.js';
import { UsageError } from './usage-error.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Parses a reference to a module's export as the command line gives it: `module#export`, or
 * Python's `module:Export` (the last `:` followed by a name; not a Windows drive letter or a
 * URL's scheme). The module is a path (relative to the current directory), a URL or a
 * package specifier.
 *
 * @throws UsageError saying what form is expected.
 * @internal
 */
export function parseModuleReference(text: string, option = '--system'): SystemReference {
  const hash = text.lastIndexOf('#');
  let module: string;
  let name: string;
  if (hash >= 0) {
    module = text.slice(0, hash);
    name = text.slice(hash + 1);
  } else {
    const colon = text.lastIndexOf(':');
    const isDrive = colon === 1 && /^[A-Za-z]$/.test(text.slice(0, 1));
    if (colon <= 0 || isDrive || !IDENTIFIER.test(text.slice(colon + 1))) {
      throw new UsageError(
        `${option} needs a module and the name of its export, as 'path/to/system.js#system' ` +
          `(or Python's 'module:system'): got '${text}'.`,
      );
    }
    module = text.slice(0, colon);
    name = text.slice(colon + 1);
  }
  if (module === '') {
    throw new UsageError(`${option} '${text}' names no module before '#': give its path.`);
  }
  if (!IDENTIFIER.test(name)) {
    throw new UsageError(
      `${option} '${text}': '${name}' is not the name of an export (after '#', a name such ` +
        "as 'system' or 'default').",
    );
  }
  return { module, export: name };
}
