import { ProgrammingError } from '../persistence/errors.js';

/** PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1). */
export const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Quotes an identifier for SQL (`"name"`, with `"` doubled), as Python's `sql.Identifier` does,
 * so that names are used exactly as given.
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Checks that PostgreSQL would not silently truncate the identifier.
 *
 * @throws ProgrammingError ("Identifier too long: …") saying how to shorten it.
 */
export function checkIdentifierLength(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_LENGTH) {
    throw new ProgrammingError(
      `Identifier too long: ${name} (${bytes} bytes; PostgreSQL's limit is ` +
        `${MAX_IDENTIFIER_LENGTH}). Table names start with the application's name: give the ` +
        "application a shorter name (its static 'name'), or use a shorter POSTGRES_SCHEMA.",
    );
  }
}

/** A quoted schema-qualified name, after checking both parts' lengths. */
export function qualified(schema: string, name: string): string {
  checkIdentifierLength(schema);
  checkIdentifierLength(name);
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A string literal for SQL (`'text'`, with `'` doubled). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A dollar-quoted string for SQL (`$es$text$es$`) whose tag does not occur in the text, so that
 * nothing in it (identifiers holding `$BODY$`, say) can end it early: what the body of a
 * function or `DO` block holds stays in the body, whatever names it quotes.
 */
export function dollarQuote(text: string): string {
  let tag = '$es$';
  for (let i = 1; text.includes(tag); i++) tag = `$es_${i}$`;
  return `${tag}${text}${tag}`;
}
