/**
 * An application's name: it prefixes the application's PostgreSQL tables and scopes its
 * environment keys (`DOGSCHOOL_SQLITE_DBNAME`), so it is stored, in effect, and must not be
 * chosen by a minifier.
 */

import { classNameLooksMangled, KEEP_NAMES_ADVICE } from '../domain/mangled-names.js';
import { describeValue } from '../utils/describe-value.js';

/**
 * The name of an application of class `cls`: `given` (the constructor's `name` option), else
 * the class's static `name` (`static name = 'DogSchool'`), else the class name. A class name
 * that looks renamed by a minifier is a `TypeError` that says how to state the name.
 */
export function applicationName(cls: { readonly name: string }, given: unknown): string {
  if (given !== undefined) {
    if (typeof given !== 'string' || given === '') {
      throw new TypeError(
        `An application's 'name' option must be a non-empty string (it prefixes the ` +
          `application's tables and environment keys), got ${describeValue(given)}.`,
      );
    }
    return given;
  }
  const name = cls.name;
  const descriptor = Object.getOwnPropertyDescriptor(cls, 'name');
  // A static field (`static name = 'DogSchool'`) is writable; the built-in name is not.
  const stated = descriptor?.writable === true;
  if (!stated && (mangledBase(cls, name) || classNameLooksMangled(name, cls))) {
    throw new TypeError(
      `The application class '${name}' has a name that looks chosen by a minifier, and the ` +
        `name prefixes the application's PostgreSQL tables and environment keys, so a ` +
        `minified build would use other tables. ${KEEP_NAMES_ADVICE} Here: ` +
        `static name = 'DogSchool' on the class (TypeScript: static override name), or new ` +
        `DogSchool({ name: 'DogSchool' }).`,
    );
  }
  return name;
}

/** `Application` itself, when the library was minified with it (it is no longer so named). */
function mangledBase(cls: object, name: string): boolean {
  return Object.getPrototypeOf(cls) === Function.prototype && name !== 'Application';
}
