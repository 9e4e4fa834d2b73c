// The backends the system tests run on: the environment of a system's applications (SQLite:
// one temporary file per application, chosen with its scoped APPNAME_SQLITE_DBNAME key).
import type { EnvType } from '../../src/utils/environment.js';
import { tempDbPath } from '../sqlite/helpers.js';

/** A backend the system suites run on. */
export interface SystemBackend {
  readonly name: string;
  /** Whether what is recorded outlives an application (false in memory). */
  readonly persistent: boolean;
  /** The environment of applications with these names (fresh databases on each call). */
  env(appNames: Iterable<string>): EnvType;
}

export const memoryBackend: SystemBackend = {
  name: 'memory',
  persistent: false,
  env: () => ({}),
};

export const sqliteBackend: SystemBackend = {
  name: 'SQLite',
  persistent: true,
  env(appNames) {
    const env: Record<string, string> = { PERSISTENCE_MODULE: 'sqlite' };
    for (const name of appNames) env[`${name.toUpperCase()}_SQLITE_DBNAME`] = tempDbPath(name);
    return env;
  },
};
