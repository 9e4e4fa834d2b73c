import { DataError } from '../persistence/errors.js';

/** A column of a stored row and what its value must be. */
export interface ExpectedColumn {
  /** The column's name. */
  readonly name: string;
  /** The value read. */
  readonly value: unknown;
  /** What the value must be: a safe integer, text, or bytes. */
  readonly expected: 'integer' | 'text' | 'blob';
}

/** SQLite's name for the storage class of a value as better-sqlite3 returns it. */
function storageClass(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isInteger(value) ? 'INTEGER' : 'REAL';
  if (typeof value === 'bigint') return 'INTEGER';
  if (typeof value === 'string') return 'TEXT';
  if (value instanceof Uint8Array) return 'BLOB';
  return typeof value;
}

function fits(column: ExpectedColumn): boolean {
  const value = column.value;
  if (column.expected === 'integer') return Number.isSafeInteger(value);
  if (column.expected === 'text') return typeof value === 'string';
  return value instanceof Uint8Array;
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `a BLOB of ${value.length} bytes`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

/**
 * The error for a stored row whose values this library cannot read (written by another
 * program, or tampered with): names the table, the row and each column whose value has the
 * wrong type, or is an integer beyond `Number.MAX_SAFE_INTEGER`. Made only after a cheap check
 * on the read path failed.
 */
export function invalidRowError(
  table: string,
  database: string,
  row: string,
  columns: readonly ExpectedColumn[],
): DataError {
  const problems: string[] = [];
  for (const column of columns) {
    if (fits(column)) continue;
    const value = column.value;
    const kind = storageClass(value);
    if (column.expected === 'integer' && kind === 'INTEGER') {
      problems.push(
        `column ${column.name} holds ${show(value)}, above Number.MAX_SAFE_INTEGER, which a ` +
          'JavaScript number cannot represent exactly',
      );
    } else {
      const expected =
        column.expected === 'integer'
          ? 'an INTEGER'
          : column.expected === 'text'
            ? 'TEXT'
            : 'a BLOB';
      const held = kind === 'NULL' ? 'is NULL' : `holds ${kind} ${show(value)}`;
      problems.push(`column ${column.name} ${held} where ${expected} is expected`);
    }
  }
  return new DataError(
    `Cannot read ${row} of table '${table}' of ${database}: ${problems.join('; ')}. The row was ` +
      'not written by this library (or by Python eventsourcing): repair or remove it.',
  );
}
