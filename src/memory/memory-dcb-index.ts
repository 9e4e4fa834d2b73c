import { matchesQueryItem } from '../persistence/dcb-query.js';
import type { DCBEvent, DCBQuery } from '../persistence/dcb-recorder.js';

/**
 * The positions of the in-memory DCB events by tag and by type, so that a read or a condition
 * looks only at events that may match instead of scanning the store: an item with tags takes
 * the positions of its rarest tag, an item with only types those of its types. Positions are
 * appended in ascending order, so each list stays sorted.
 */
export class MemoryDCBIndex {
  private readonly byTag = new Map<string, number[]>();
  private readonly byType = new Map<string, number[]>();

  /** Indexes the event stored at `position` (after every smaller position). */
  add(event: DCBEvent, position: number): void {
    for (const tag of new Set(event.tags)) push(this.byTag, tag, position);
    push(this.byType, event.type, position);
  }

  /**
   * The positions after `after` of the events of `events` (the event at position `n` at index
   * `n - 1`) that match the query, ascending; null when the query matches every event (no
   * query, no items, or an item with neither types nor tags), so the caller scans them all.
   */
  matching(
    events: readonly DCBEvent[],
    query: DCBQuery | null | undefined,
    after: number,
  ): number[] | null {
    if (query === null || query === undefined || query.items.length === 0) return null;
    const found = new Set<number>();
    for (const item of query.items) {
      let candidates: readonly number[][];
      if (item.tags.length > 0) {
        let rarest: number[] | undefined;
        for (const tag of item.tags) {
          const list = this.byTag.get(tag) ?? [];
          if (rarest === undefined || list.length < rarest.length) rarest = list;
        }
        candidates = [rarest ?? []];
      } else if (item.types.length > 0) {
        candidates = item.types.map((type) => this.byType.get(type) ?? []);
      } else {
        return null;
      }
      for (const list of candidates) {
        for (let i = firstAfter(list, after); i < list.length; i++) {
          const position = list[i] as number;
          if (!found.has(position) && matchesQueryItem(events[position - 1] as DCBEvent, item)) {
            found.add(position);
          }
        }
      }
    }
    return [...found].sort((a, b) => a - b);
  }
}

function push(map: Map<string, number[]>, key: string, position: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [position]);
  else list.push(position);
}

/** The index of the first position greater than `after` in an ascending list. */
function firstAfter(list: readonly number[], after: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((list[middle] as number) <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}
