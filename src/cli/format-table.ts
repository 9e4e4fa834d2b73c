/**
 * Lays out rows under headers in columns two spaces apart (the last column not padded),
 * numbers right-aligned when `numeric` says so.
 *
 * @internal
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[] = [],
): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        if (i === cells.length - 1) return numeric[i] ? cell.padStart(widths[i]!) : cell;
        return numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}
