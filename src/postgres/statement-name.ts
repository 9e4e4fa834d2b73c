const statementNames = new Map<string, string>();

/**
 * The name of the prepared statement for this SQL text: the same text always gets the same name
 * and different texts never share one, so any pooled connection can cache any statement.
 */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `es_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}
