/**
 * Text diffs for the content management example: a page's `BodyUpdated` event records how the
 * body changed, not the whole new body (Python's example runs `diff` and `patch`). A diff here
 * is the one span that changed: where it starts, how many characters it removes, and the text
 * it inserts, written as `start,removed:inserted`.
 */

/** The diff that turns `oldText` into `newText`. */
export function createDiff(oldText: string, newText: string): string {
  let start = 0;
  const shorter = Math.min(oldText.length, newText.length);
  while (start < shorter && oldText[start] === newText[start]) start++;
  let end = 0;
  while (
    end < shorter - start &&
    oldText[oldText.length - 1 - end] === newText[newText.length - 1 - end]
  ) {
    end++;
  }
  const removed = oldText.length - start - end;
  return `${start},${removed}:${newText.slice(start, newText.length - end)}`;
}

/** Applies a diff made by `createDiff` to the text it was made from. */
export function applyPatch(oldText: string, diff: string): string {
  const match = /^(\d+),(\d+):/.exec(diff);
  if (match === null) throw new SyntaxError(`Not a diff: ${JSON.stringify(diff.slice(0, 40))}`);
  const start = Number(match[1]);
  const removed = Number(match[2]);
  if (start + removed > oldText.length) {
    throw new RangeError(`The diff removes text beyond the end of the text (${diff.slice(0, 40)})`);
  }
  const inserted = diff.slice(match[0].length);
  return oldText.slice(0, start) + inserted + oldText.slice(start + removed);
}
