/** Formats a section id from the first and last notification ids it covers. */
export function formatSectionId(first: number, last: number): string {
  return `${first},${last}`;
}
