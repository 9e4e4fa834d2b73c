/** How to open the database that an `SQLITE_DBNAME` value names. */
export interface SqliteTarget {
  /** The path better-sqlite3 opens (`:memory:` for an in-memory database). */
  readonly filename: string;
  /** Whether the database lives in memory (`:memory:`, or a URI with `mode=memory`). */
  readonly memory: boolean;
  /**
   * For a named in-memory database (`file:name?mode=memory&cache=shared`): its name, under
   * which every datastore of this process shares one connection, as SQLite's shared cache
   * would. `null` for a private in-memory database and for files.
   */
  readonly sharedMemoryName: string | null;
  /** `mode=ro`: open read-only. */
  readonly readonly: boolean;
  /** `mode=ro` or `mode=rw`: the file must exist. */
  readonly fileMustExist: boolean;
}

/**
 * Reads an `SQLITE_DBNAME` value as Python's `sqlite3.connect(name, uri=True)` does: a path,
 * `:memory:`, or a `file:` URI (`file:path`, `file:///abs/path`, `file::memory:`,
 * `file:name?mode=memory&cache=shared`, `?mode=ro|rw|rwc|memory`). better-sqlite3 is built
 * without URI filenames, so the URI is interpreted here.
 *
 * @throws TypeError for an empty name or an unsupported `mode`.
 */
export function parseSqliteDbName(dbName: string): SqliteTarget {
  if (typeof dbName !== 'string' || dbName === '') {
    throw new TypeError('The SQLite database name must be a non-empty string.');
  }
  if (!dbName.startsWith('file:')) {
    const memory = dbName === ':memory:';
    return {
      filename: dbName,
      memory,
      sharedMemoryName: null,
      readonly: false,
      fileMustExist: false,
    };
  }
  let rest = dbName.slice('file:'.length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  const query = new URLSearchParams(question >= 0 ? rest.slice(question + 1) : '');
  let path = question >= 0 ? rest.slice(0, question) : rest;
  // file://localhost/abs or file:///abs: drop the (empty or localhost) authority.
  if (path.startsWith('//')) {
    const slash = path.indexOf('/', 2);
    path = slash >= 0 ? path.slice(slash) : '';
  }
  path = decodeURIComponent(path);
  const mode = query.get('mode') ?? 'rwc';
  if (!['ro', 'rw', 'rwc', 'memory'].includes(mode)) {
    throw new TypeError(
      `Unsupported mode '${mode}' in SQLite URI '${dbName}': use ro, rw, rwc or memory.`,
    );
  }
  const memory = mode === 'memory' || path === ':memory:';
  if (memory) {
    const name = path === '' || path === ':memory:' ? null : path;
    return {
      filename: ':memory:',
      memory: true,
      sharedMemoryName: name,
      readonly: false,
      fileMustExist: false,
    };
  }
  if (path === '') throw new TypeError(`The SQLite URI '${dbName}' names no file.`);
  return {
    filename: path,
    memory: false,
    sharedMemoryName: null,
    readonly: mode === 'ro',
    fileMustExist: mode === 'ro' || mode === 'rw',
  };
}
