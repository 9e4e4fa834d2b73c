import { StoreInspector } from '../interface/store-inspector.js';
import type { EnvType } from '../utils/environment.js';
import { commandEnvironment } from './env-file.js';
import { importModules } from './import-modules.js';
import { UsageError } from './usage-error.js';

/**
 * The options every inspecting command takes (`util.parseArgs` form).
 *
 * @internal
 */
export const INSPECTION_OPTIONS = {
  app: { type: 'string' },
  'env-file': { type: 'string' },
  import: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The usage lines of `INSPECTION_OPTIONS`.
 *
 * @internal
 */
export const INSPECTION_OPTIONS_USAGE = `  --app <Name>            The application's name: its environment scope (NAME_SQLITE_DBNAME,
                          NAME_CIPHER_KEY, ...) and, on PostgreSQL, its tables' prefix
                          (name_events). Default: none (unscoped keys, Python's stored_events).
  --env-file <path>       Reads KEY=VALUE lines into the environment; a variable already set
                          in the process's environment wins over the file.
  --import <module>       Imports a module of yours first (repeatable), so that its classes'
                          topics resolve and events are decoded as the application decodes them.
  --json                  One JSON object per line instead of a table.
  -h, --help              Shows this help.`;

/** The values of `INSPECTION_OPTIONS`. @internal */
export interface InspectionValues {
  readonly app?: string | undefined;
  readonly 'env-file'?: string | undefined;
  readonly import?: readonly string[] | undefined;
  readonly json?: boolean | undefined;
}

/**
 * The environment the options name, with the user's modules imported.
 *
 * @internal
 */
export async function prepareInspection(values: InspectionValues): Promise<EnvType> {
  if (values.app !== undefined && !/^[A-Za-z_][\w]*$/.test(values.app)) {
    throw new UsageError(
      `--app needs an application's name (letters, digits and _, as a class name), got '${values.app}'.`,
    );
  }
  const env = commandEnvironment(values['env-file']);
  await importModules(values.import ?? []);
  return env;
}

/**
 * Opens the inspector of the application the options name (see `prepareInspection`).
 *
 * @internal
 */
export async function openInspector(values: InspectionValues): Promise<StoreInspector> {
  const env = await prepareInspection(values);
  return StoreInspector.open(values.app ?? '', env);
}

/**
 * Fails unless the inspector's backend keeps its data where this process can read it.
 *
 * @throws Error saying to configure SQLite or PostgreSQL.
 * @internal
 */
export function requireSharedStorage(inspector: StoreInspector): void {
  if (inspector.backend !== 'memory') return;
  const scope = inspector.appName === '' ? '' : `${inspector.appName.toUpperCase()}_`;
  throw new Error(
    `The application${inspector.appName ? ` '${inspector.appName}'` : ''} is configured with ` +
      `the memory backend (PERSISTENCE_MODULE${scope ? ` and ${scope}PERSISTENCE_MODULE` : ''} ` +
      'unset or memory), whose events live only in the process that saved them. Set ' +
      'PERSISTENCE_MODULE=sqlite with SQLITE_DBNAME, or postgres with POSTGRES_*, as the ' +
      'application has them (--env-file can read them from a file).',
  );
}
