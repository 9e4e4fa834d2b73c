import { resolveTopic } from '../domain/topics.js';
import { InfrastructureFactoryError } from '../persistence/errors.js';
import type { Environment } from '../utils/environment.js';
import { REDACTED, redactUrl } from '../utils/redact.js';
import { strtobool } from '../utils/strtobool.js';

/** How originator ids are stored: PostgreSQL `uuid` (default) or `text` (any string). */
export type OriginatorIdType = 'uuid' | 'text';

/** Returns the password to connect with; called on each new connection (rotating tokens). */
export type GetPassword = () => string | Promise<string>;

/** TLS as `pg` takes it: off, on with certificate checks, or on without them. */
export type SslSetting =
  | boolean
  | {
      /** Whether the server's certificate must be valid (`sslmode=verify-full`). */
      rejectUnauthorized: boolean;
    };

/**
 * Everything the PostgreSQL module reads from the environment, parsed and checked. Times are in
 * seconds, as in the environment.
 */
export interface PostgresSettings {
  /** The database name (`POSTGRES_DBNAME`). */
  readonly dbname: string | undefined;
  /** The server's host name, address or socket directory (`POSTGRES_HOST`). */
  readonly host: string | undefined;
  /** The server's port (`POSTGRES_PORT`, default 5432). */
  readonly port: number | undefined;
  /** The user name (`POSTGRES_USER`). */
  readonly user: string | undefined;
  /** The password, or a function called for each new connection (`POSTGRES_PASSWORD`). */
  readonly password: string | GetPassword | undefined;
  /** TLS: off, on with certificate checks, or on without (a URL's `sslmode`). */
  readonly ssl: SslSetting | undefined;
  /** Seconds to wait for a connection (connecting, or a free one from the pool). */
  readonly connectTimeout: number;
  /** Seconds after which a pooled connection is replaced (0: never). */
  readonly connMaxAge: number;
  /** Whether a pooled connection is checked with `SELECT 1` before each write. */
  readonly prePing: boolean;
  /** At most this many requests may wait for a connection (0: no limit). */
  readonly maxWaiting: number;
  /** Seconds a write waits for the table lock (0: no limit). */
  readonly lockTimeout: number;
  /** Connections kept open in the pool. */
  readonly poolSize: number;
  /** Connections opened beyond `poolSize` under load (the pool's maximum is the sum). */
  readonly maxOverflow: number;
  /** Seconds after which the server ends a session left idle inside a transaction (0: never). */
  readonly idleInTransactionSessionTimeout: number;
  /** The schema of the tables (`POSTGRES_SCHEMA`, default `public`). */
  readonly schema: string;
  /** Whether recorders create their tables (`CREATE_TABLE`, default yes). */
  readonly createTable: boolean;
  /** The type of the originator id column (`ORIGINATOR_ID_TYPE`, default `uuid`). */
  readonly originatorIdType: OriginatorIdType;
  /** One tracking row per upstream application (`SINGLE_ROW_TRACKING`, default yes). */
  readonly singleRowTracking: boolean;
}

/**
 * Settings given as typed values: each one given overrides its environment key (times in
 * seconds, as in the environment).
 */
export type PostgresSettingsOptions = {
  readonly [K in keyof PostgresSettings]?: PostgresSettings[K];
};

/** How each typed setting is checked: its expected type, as said in the error. */
const SETTING_CHECKS: Record<keyof PostgresSettings, [string, (value: unknown) => boolean]> = {
  dbname: ['a string', isString],
  host: ['a string', isString],
  port: ['an integer from 1 to 65535', (v) => isInt(v) && v >= 1 && v <= 65535],
  user: ['a string', isString],
  password: ['a string or a function', (v) => isString(v) || typeof v === 'function'],
  ssl: [
    'a boolean or { rejectUnauthorized: boolean }',
    (v) =>
      typeof v === 'boolean' ||
      (typeof v === 'object' &&
        v !== null &&
        typeof (v as { rejectUnauthorized?: unknown }).rejectUnauthorized === 'boolean'),
  ],
  connectTimeout: ['an integer ≥ 0 (seconds)', isCount],
  connMaxAge: [
    'a number ≥ 0 (seconds)',
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  ],
  prePing: ['a boolean', isBoolean],
  maxWaiting: ['an integer ≥ 0', isCount],
  lockTimeout: ['an integer ≥ 0 (seconds)', isCount],
  poolSize: ['an integer ≥ 0', isCount],
  maxOverflow: ['an integer ≥ 0', isCount],
  idleInTransactionSessionTimeout: ['an integer ≥ 0 (seconds)', isCount],
  schema: ['a non-empty string', (v) => isString(v) && v.trim() !== ''],
  createTable: ['a boolean', isBoolean],
  originatorIdType: ["'uuid' or 'text'", (v) => v === 'uuid' || v === 'text'],
  singleRowTracking: ['a boolean', isBoolean],
};

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

function isInt(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

function isCount(value: unknown): boolean {
  return isInt(value) && value >= 0;
}

/**
 * Checks typed settings and returns those given (undefined values dropped).
 *
 * @throws TypeError naming the option and what it expects, or an unknown option's name.
 */
export function checkPostgresSettingsOptions(
  options: PostgresSettingsOptions,
  extraKeys: readonly string[] = [],
): Partial<PostgresSettings> {
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || extraKeys.includes(key)) continue;
    const check = SETTING_CHECKS[key as keyof PostgresSettings] as
      | [string, (value: unknown) => boolean]
      | undefined;
    if (check === undefined) {
      throw new TypeError(
        `Unknown PostgreSQL option '${key}'. Known options: ${[
          ...extraKeys,
          ...Object.keys(SETTING_CHECKS),
        ].join(', ')}.`,
      );
    }
    if (!check[1](value)) {
      const shown = key === 'password' ? typeof value : (JSON.stringify(value) ?? String(value));
      throw new TypeError(`PostgreSQL option '${key}' must be ${check[0]}, not ${shown}.`);
    }
    given[key] = value;
  }
  return given as Partial<PostgresSettings>;
}

/** The environment keys of the PostgreSQL module (Python's names, plus `POSTGRES_URL`). */
export const PostgresKeys = {
  /** A connection URL (`postgres://user:password@host:port/dbname?sslmode=…`); the other keys override its parts. */
  POSTGRES_URL: 'POSTGRES_URL',
  /** Read when `POSTGRES_URL` is not set, as hosting platforms set it. */
  DATABASE_URL: 'DATABASE_URL',
  /** The database name. */
  POSTGRES_DBNAME: 'POSTGRES_DBNAME',
  /** The server's host name, address or socket directory. */
  POSTGRES_HOST: 'POSTGRES_HOST',
  /** The server's port (default 5432). */
  POSTGRES_PORT: 'POSTGRES_PORT',
  /** The user name. */
  POSTGRES_USER: 'POSTGRES_USER',
  /** The password. */
  POSTGRES_PASSWORD: 'POSTGRES_PASSWORD',
  /** The topic of a function that returns the password, called for each new connection. */
  POSTGRES_GET_PASSWORD_TOPIC: 'POSTGRES_GET_PASSWORD_TOPIC',
  /** Seconds to wait for a connection (default 30). */
  POSTGRES_CONNECT_TIMEOUT: 'POSTGRES_CONNECT_TIMEOUT',
  /** Seconds after which a pooled connection is replaced (default 3600; 0: never). */
  POSTGRES_CONN_MAX_AGE: 'POSTGRES_CONN_MAX_AGE',
  /** Whether a pooled connection is checked before each write (default no). */
  POSTGRES_PRE_PING: 'POSTGRES_PRE_PING',
  /** At most this many requests may wait for a connection (default 0: no limit). */
  POSTGRES_MAX_WAITING: 'POSTGRES_MAX_WAITING',
  /** Seconds a write waits for the table lock (0: no limit). */
  POSTGRES_LOCK_TIMEOUT: 'POSTGRES_LOCK_TIMEOUT',
  /** Connections kept open in the pool (default 5). */
  POSTGRES_POOL_SIZE: 'POSTGRES_POOL_SIZE',
  /** Connections opened beyond the pool size under load (default 10). */
  POSTGRES_MAX_OVERFLOW: 'POSTGRES_MAX_OVERFLOW',
  /** Seconds after which the server ends a session idle inside a transaction (default 5). */
  POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: 'POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT',
  /** The schema of the tables (default `public`). */
  POSTGRES_SCHEMA: 'POSTGRES_SCHEMA',
  /** Whether recorders create their tables (default yes). */
  CREATE_TABLE: 'CREATE_TABLE',
  /** `uuid` (default) or `text`: the type of the originator id column of new tables. */
  ORIGINATOR_ID_TYPE: 'ORIGINATOR_ID_TYPE',
  /** One tracking row per upstream application (default yes), as Python 9.5. */
  SINGLE_ROW_TRACKING: 'SINGLE_ROW_TRACKING',
} as const;

const K = PostgresKeys;

/** The parts of a connection URL. */
interface UrlParts {
  dbname?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  ssl?: SslSetting;
}

function invalid(key: string, expected: string, value: string): InfrastructureFactoryError {
  return new InfrastructureFactoryError(
    `Postgres environment value for key '${key}' is invalid. If set, ${expected} or empty ` +
      `string is expected: '${value}'`,
  );
}

/** The value of the key (scoped first), or undefined when unset or blank. */
function get(env: Environment, key: string): string | undefined {
  const value = env.get(key);
  return value === undefined || value.trim() === '' ? undefined : value;
}

function getInt(env: Environment, key: string, defaultValue: number, min = 0): number {
  const value = get(env, key);
  if (value === undefined) return defaultValue;
  const trimmed = value.trim();
  const n = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw invalid(key, 'an integer', value);
  if (n < min) {
    throw new InfrastructureFactoryError(
      `Postgres environment value for key '${key}' is invalid: ${n} is less than ${min}.`,
    );
  }
  return n;
}

function getFloat(env: Environment, key: string, defaultValue: number): number {
  const value = get(env, key);
  if (value === undefined) return defaultValue;
  const n = Number(value.trim());
  if (!Number.isFinite(n) || n < 0) throw invalid(key, 'a float', value);
  return n;
}

function getBool(env: Environment, key: string, defaultValue: boolean): boolean {
  const value = get(env, key);
  if (value === undefined) return defaultValue;
  try {
    return strtobool(value);
  } catch {
    throw invalid(key, 'a boolean (y, yes, t, true, on, 1 or n, no, f, false, off, 0)', value);
  }
}

function sslFromMode(mode: string | null, key: string, url: string): SslSetting | undefined {
  if (mode === null) return undefined;
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
    case 'no-verify':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return true;
    default:
      throw new InfrastructureFactoryError(
        `The connection URL in '${key}' has sslmode '${mode}': expected disable, prefer, require, ` +
          `no-verify, verify-ca or verify-full. URL: ${redactUrl(url)}`,
      );
  }
}

/**
 * The settings fit to print: the password (or the function that gets it) is shown as
 * `[redacted]`. Used by the inspect of the PostgreSQL factory and datastore.
 */
export function redactSettings(settings: PostgresSettings): Record<string, unknown> {
  return { ...settings, password: settings.password === undefined ? undefined : REDACTED };
}

/** A percent-decoded part of a URL; a bad escape is an error that does not print the part. */
function decodeUrlPart(key: string, what: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    throw new InfrastructureFactoryError(
      `The connection URL in '${key}' has a ${what} with a '%' that is not a valid escape: ` +
        "percent-encode it ('%' as %25, '@' as %40, ':' as %3A, '/' as %2F).",
      { cause: error },
    );
  }
}

function parseUrl(key: string, value: string): UrlParts {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch (error) {
    throw new InfrastructureFactoryError(
      `Postgres environment value for key '${key}' is not a URL: expected ` +
        `postgres://user:password@host:port/dbname, got '${redactUrl(value)}'.`,
      { cause: error },
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new InfrastructureFactoryError(
      `Postgres environment value for key '${key}' has scheme '${url.protocol}': expected ` +
        `postgres://user:password@host:port/dbname.`,
    );
  }
  const parts: UrlParts = {};
  const host = url.searchParams.get('host') ?? decodeURIComponent(url.hostname);
  if (host !== '') parts.host = host.replace(/^\[(.*)\]$/, '$1');
  if (url.port !== '') parts.port = Number(url.port);
  if (url.username !== '') parts.user = decodeUrlPart(key, 'user name', url.username);
  if (url.password !== '') parts.password = decodeUrlPart(key, 'password', url.password);
  const dbname = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (dbname !== '') parts.dbname = dbname;
  const ssl = sslFromMode(url.searchParams.get('sslmode'), key, value);
  if (ssl !== undefined) parts.ssl = ssl;
  return parts;
}

function required(
  value: string | undefined,
  fromUrl: string | undefined,
  haveUrl: boolean,
  what: string,
  key: string,
): string | undefined {
  if (value !== undefined) return value;
  if (fromUrl !== undefined || haveUrl) return fromUrl;
  throw new InfrastructureFactoryError(
    `Postgres ${what} not found in environment with key '${key}'. Set it, or give a connection ` +
      `URL in '${K.POSTGRES_URL}' (postgres://user:password@host:port/dbname).`,
  );
}

function getPasswordFunction(env: Environment): GetPassword | undefined {
  const topic = get(env, K.POSTGRES_GET_PASSWORD_TOPIC);
  if (topic === undefined) return undefined;
  let resolved: unknown;
  try {
    resolved = resolveTopic(topic.trim());
  } catch (error) {
    throw new InfrastructureFactoryError(
      `Failed to resolve '${topic}' from environment variable '${K.POSTGRES_GET_PASSWORD_TOPIC}': ` +
        `register the function first with registerTopic('${topic.trim()}', getPassword).`,
      { cause: error },
    );
  }
  if (typeof resolved !== 'function') {
    throw new InfrastructureFactoryError(
      `'${K.POSTGRES_GET_PASSWORD_TOPIC}' names '${topic}', which is not a function returning ` +
        'the password.',
    );
  }
  return resolved as GetPassword;
}

/**
 * Reads the PostgreSQL module's settings from the environment (each key scoped by the
 * application's name first), without I/O. Connection parts come from the `POSTGRES_*` keys,
 * which override the parts of a URL in `POSTGRES_URL` (else `DATABASE_URL`). Without a URL,
 * `POSTGRES_DBNAME`, `POSTGRES_HOST`, `POSTGRES_USER` and `POSTGRES_PASSWORD` are required, as
 * in Python, unless given in `overrides` or `connectionRequired` is false (the user gave a
 * pool). Each setting in `overrides` (checked by `checkPostgresSettingsOptions`) replaces what
 * the environment says.
 *
 * @throws InfrastructureFactoryError naming the key and what is expected.
 */
export function parsePostgresSettings(
  env: Environment,
  overrides: Partial<PostgresSettings> = {},
  connectionRequired = true,
): PostgresSettings {
  const settings = parseEnvironment(env, overrides, connectionRequired);
  return { ...settings, ...overrides };
}

function parseEnvironment(
  env: Environment,
  overrides: Partial<PostgresSettings>,
  connectionRequired: boolean,
): PostgresSettings {
  const urlKey = get(env, K.POSTGRES_URL) !== undefined ? K.POSTGRES_URL : K.DATABASE_URL;
  const urlValue = get(env, urlKey);
  // Parts given as options, or a pool of the user's, make the environment's optional.
  const haveUrl = urlValue !== undefined || !connectionRequired;
  const url = urlValue !== undefined ? parseUrl(urlKey, urlValue) : {};

  const dbname = required(
    overrides.dbname ?? get(env, K.POSTGRES_DBNAME),
    url.dbname,
    haveUrl,
    'database name',
    K.POSTGRES_DBNAME,
  );
  const host = required(
    overrides.host ?? get(env, K.POSTGRES_HOST),
    url.host,
    haveUrl,
    'host',
    K.POSTGRES_HOST,
  );
  const user = required(
    overrides.user ?? get(env, K.POSTGRES_USER),
    url.user,
    haveUrl,
    'user',
    K.POSTGRES_USER,
  );
  const getPassword = getPasswordFunction(env);
  // Python accepts an empty password (trust authentication), so '' counts as set here.
  const passwordValue = overrides.password ?? env.get(K.POSTGRES_PASSWORD);
  const password =
    getPassword ??
    (passwordValue !== undefined
      ? passwordValue
      : required(undefined, url.password, haveUrl, 'password', K.POSTGRES_PASSWORD));
  const portValue = get(env, K.POSTGRES_PORT);
  const port =
    portValue !== undefined
      ? getInt(env, K.POSTGRES_PORT, 5432, 1)
      : (url.port ?? (haveUrl ? undefined : 5432));
  if (port !== undefined && port > 65535)
    throw invalid(K.POSTGRES_PORT, 'a port number', `${port}`);

  const poolSize = overrides.poolSize ?? getInt(env, K.POSTGRES_POOL_SIZE, 5);
  const maxOverflow = overrides.maxOverflow ?? getInt(env, K.POSTGRES_MAX_OVERFLOW, 10);
  if (poolSize + maxOverflow < 1) {
    throw new InfrastructureFactoryError(
      `'${K.POSTGRES_POOL_SIZE}' plus '${K.POSTGRES_MAX_OVERFLOW}' is 0: the pool needs at least ` +
        'one connection.',
    );
  }
  const idType = (get(env, K.ORIGINATOR_ID_TYPE) ?? 'uuid').trim().toLowerCase();
  if (idType !== 'uuid' && idType !== 'text') {
    throw new InfrastructureFactoryError(
      `Invalid ${K.ORIGINATOR_ID_TYPE} '${env.get(K.ORIGINATOR_ID_TYPE)}': expected 'uuid' ` +
        "(the default: ids are UUIDs) or 'text' (ids are any strings).",
    );
  }
  const schema = (env.get(K.POSTGRES_SCHEMA) ?? '').trim() || 'public';
  return {
    dbname,
    host,
    port,
    user,
    password,
    ssl: url.ssl,
    connectTimeout: getInt(env, K.POSTGRES_CONNECT_TIMEOUT, 30),
    connMaxAge: getFloat(env, K.POSTGRES_CONN_MAX_AGE, 3600),
    prePing: getBool(env, K.POSTGRES_PRE_PING, false),
    maxWaiting: getInt(env, K.POSTGRES_MAX_WAITING, 0),
    lockTimeout: getInt(env, K.POSTGRES_LOCK_TIMEOUT, 0),
    poolSize,
    maxOverflow,
    idleInTransactionSessionTimeout: getInt(env, K.POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT, 5),
    schema,
    createTable: getBool(env, K.CREATE_TABLE, true),
    originatorIdType: idType,
    singleRowTracking: getBool(env, K.SINGLE_ROW_TRACKING, true),
  };
}
