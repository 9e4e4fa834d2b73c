const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks that a table name is a plain SQL identifier (it is spliced into statements).
 *
 * @throws TypeError naming the table.
 */
export function checkTableName(name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new TypeError(
      `Invalid SQLite table name ${JSON.stringify(name)}: use letters, digits and underscores, ` +
        'not starting with a digit.',
    );
  }
  return name;
}
