/**
 * The statements that serve several reads at once (see `ReadBatcher`), and how their rows are
 * handed back. Each takes the distinct originator ids as `$1` and returns the id in column 0.
 */

/** Every event of each originator in `$1`: id, version, topic, state (`stateColumn`). */
export function eventsOfSql(table: string, stateColumn: string): string {
  return (
    `SELECT originator_id, originator_version, topic, ${stateColumn} FROM ${table} ` +
    'WHERE originator_id = ANY($1) ORDER BY originator_id, originator_version'
  );
}

/**
 * For each originator in `$1`: its latest snapshot, if any, then the events after it: id,
 * whether the row is the snapshot, version, topic, state (`stateOf(column)`).
 */
export function snapshotsAndEventsOfSql(
  eventsTable: string,
  snapshotTable: string,
  idType: string,
  stateOf: (column: string) => string,
): string {
  return (
    `SELECT i.id, x.* FROM unnest($1::${idType}[]) AS i(id) ` +
    'LEFT JOIN LATERAL (SELECT originator_version, topic, state ' +
    `FROM ${snapshotTable} WHERE originator_id = i.id ` +
    'ORDER BY originator_version DESC LIMIT 1) s ON true ' +
    'CROSS JOIN LATERAL (' +
    `SELECT true AS snapshot, s.originator_version, s.topic, ${stateOf('s.state')} ` +
    'WHERE s.originator_version IS NOT NULL UNION ALL ' +
    `SELECT false, e.originator_version, e.topic, ${stateOf('e.state')} ` +
    `FROM ${eventsTable} e WHERE e.originator_id = i.id AND e.originator_version > ` +
    'COALESCE(s.originator_version, -9223372036854775808)) x ' +
    'ORDER BY i.id, x.snapshot DESC, x.originator_version'
  );
}

/**
 * The rows of a batched statement (the id in column 0) for each of `ids`, in that order; an id
 * given twice gets the same rows twice, and an id with no rows an empty array.
 */
export function rowsByOriginator(
  rows: readonly unknown[][],
  ids: readonly string[],
): unknown[][][] {
  const byId = new Map<string, unknown[][]>();
  for (const row of rows) {
    const id = row[0] as string;
    let own = byId.get(id);
    if (own === undefined) {
      own = [];
      byId.set(id, own);
    }
    own.push(row);
  }
  return ids.map((id) => byId.get(id) ?? []);
}
