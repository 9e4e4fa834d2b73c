import type { DCBQuery } from '../persistence/dcb-recorder.js';

/**
 * What SQL a DCB query needs: every event (`all`: no items, or an item with neither types nor
 * tags), a scan of ids by type (`types`: only items without tags), the tag table (`tags`: only
 * items with tags), or both (`mixed`).
 */
export type DCBQueryShape = 'all' | 'types' | 'tags' | 'mixed';

/** A DCB query as the PostgreSQL recorder's statements and functions take it. */
export interface DCBQueryParams {
  /** Which SQL the query needs. */
  readonly shape: DCBQueryShape;
  /** The types of the items without tags (any of them matches), or null when there are none. */
  readonly types: string[] | null;
  /** The first tag of each item with tags (the tag table is searched by them), or null. */
  readonly firsts: string[] | null;
  /** Each item with tags: its types as an array literal (`{}` for any type). */
  readonly itemTypes: string[];
  /** Each item with tags: its tags as an array literal. */
  readonly itemTags: string[];
}

/** The parameters of the query that matches every event. */
export const ALL_EVENTS: DCBQueryParams = Object.freeze({
  shape: 'all',
  types: null,
  firsts: null,
  itemTypes: [],
  itemTags: [],
});

/**
 * A PostgreSQL array literal of strings (`{"a","b\"c"}`), so that an array of arrays of any
 * lengths can be sent as one `text[]` of literals and cast back (`::text[]`) in SQL:
 * PostgreSQL's multidimensional arrays must be rectangular.
 */
export function textArrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ',';
    literal += `"${values[i]!.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${literal}}`;
}

/**
 * Splits a (checked) query by the SQL its items need: items with neither types nor tags match
 * everything; items with types only are one list of types; items with tags are searched through
 * the tag table by their first tag and checked against the stored tags and type.
 */
export function dcbQueryParams(query: DCBQuery | null | undefined): DCBQueryParams {
  const items = query?.items;
  if (items === undefined || items.length === 0) return ALL_EVENTS;
  let types: string[] | null = null;
  let firsts: string[] | null = null;
  const itemTypes: string[] = [];
  const itemTags: string[] = [];
  for (const item of items) {
    if (item.tags.length === 0) {
      if (item.types.length === 0) return ALL_EVENTS;
      types ??= [];
      types.push(...item.types);
      continue;
    }
    firsts ??= [];
    firsts.push(item.tags[0]!);
    itemTypes.push(textArrayLiteral(item.types));
    itemTags.push(textArrayLiteral(item.tags));
  }
  const shape: DCBQueryShape = firsts === null ? 'types' : types === null ? 'tags' : 'mixed';
  return { shape, types, firsts, itemTypes, itemTags };
}
