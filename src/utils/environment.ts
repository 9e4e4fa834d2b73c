import { type InspectOptions, inspect } from 'node:util';
import { inspectRedacted, redactVars } from './redact.js';

/** Environment variables as a plain record; `undefined` means "not set". */
export type EnvType = Readonly<Record<string, string | undefined>>;

/**
 * Environment variables seen by one application. `get(key)` prefers the key scoped to the
 * application (`DOGSCHOOL_SQLITE_DBNAME`) over the plain key (`SQLITE_DBNAME`).
 *
 * `util.inspect` and `console.log` show it with secrets hidden: keys ending in `KEY`,
 * `PASSWORD`, `SECRET` or `TOKEN` show `[redacted]`, URL passwords show `***`.
 */
export class Environment {
  /** The application's name; its upper-cased form prefixes scoped keys. */
  readonly name: string;
  /** All the variables, unscoped and scoped alike. */
  readonly vars: Readonly<Record<string, string>>;

  constructor(name = '', vars: EnvType = {}) {
    this.name = name;
    const copy: Record<string, string> = {};
    for (const [key, value] of Object.entries(vars)) {
      if (value !== undefined) copy[key] = value;
    }
    this.vars = copy;
  }

  /** The keys looked up for `key`, in order of precedence. */
  createKeys(key: string): string[] {
    return this.name ? [`${this.name.toUpperCase()}_${key}`, key] : [key];
  }

  /** The value of the scoped key, else of the plain key, else `defaultValue`. */
  get(key: string): string | undefined;
  get(key: string, defaultValue: string): string;
  get(key: string, defaultValue?: string): string | undefined {
    for (const k of this.createKeys(key)) {
      const value = this.vars[k];
      if (value !== undefined) return value;
    }
    return defaultValue;
  }

  /** A copy of this environment with another name (used for projections and followers). */
  withName(name: string): Environment {
    return new Environment(name, this.vars);
  }

  /** How `util.inspect` and `console.log` show it: with secret values redacted. */
  [inspect.custom](depth: number, options: InspectOptions): string {
    return inspectRedacted(this, depth, options, { vars: redactVars(this.vars) });
  }
}
