import { getTopic } from '../domain/topics.js';
import { describeValue } from '../utils/describe-value.js';
import { Decision, type DecisionClass } from './decision.js';

/** Options of `new Selector(...)`. */
export interface SelectorOptions {
  /** Decision classes to select, any of them (every class when empty or absent). */
  types?: readonly DecisionClass[];
  /** Tags a decision must all carry (any tags when empty or absent). */
  tags?: readonly string[];
}

/**
 * Selects decisions by class and tags (Python's `Selector`; one item of a DCB query): decisions
 * of any of `types` (every class when empty) carrying every one of `tags`. A perspective's
 * consistency boundary is a list of selectors, any of which may select a decision.
 */
export class Selector {
  /** The decision classes selected (every class when empty). */
  readonly types: readonly DecisionClass[];
  /** The tags a selected decision carries, all of them (any tags when empty). */
  readonly tags: readonly string[];

  constructor(options: SelectorOptions = {}) {
    const types = options.types ?? [];
    const tags = options.tags ?? [];
    if (!Array.isArray(types) || !types.every((t) => isDecisionClass(t))) {
      throw new TypeError(
        `Selector types must be an array of Decision classes, got ${describeValue(types)}.`,
      );
    }
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '')) {
      throw new TypeError(
        `Selector tags must be an array of non-empty strings, got ${describeValue(tags)}.`,
      );
    }
    // Registers each class's topic, so that decisions of it can be read before any is written.
    for (const t of types) getTopic(t);
    this.types = Object.freeze([...types]);
    this.tags = Object.freeze([...tags]);
  }

  /** Whether this selector selects a decision with these tags. */
  matches(decision: Decision, tags: readonly string[]): boolean {
    const typeMatches =
      this.types.length === 0 || this.types.some((t) => decision.constructor === t);
    return typeMatches && this.tags.every((tag) => tags.includes(tag));
  }
}

/** A consistency boundary: one selector, or a list of them (any of which may select). */
export type ConsistencyBoundary = Selector | readonly Selector[];

/** The selectors of a consistency boundary, as a list (checked). */
export function selectorsOf(boundary: ConsistencyBoundary | null | undefined): Selector[] {
  if (boundary === null || boundary === undefined) return [];
  const list = boundary instanceof Selector ? [boundary] : boundary;
  if (!Array.isArray(list) || !list.every((s) => s instanceof Selector)) {
    throw new TypeError(
      `A consistency boundary is a Selector or an array of Selectors, got ${describeValue(boundary)}.`,
    );
  }
  return [...list];
}

function isDecisionClass(value: unknown): boolean {
  return typeof value === 'function' && (value === Decision || value.prototype instanceof Decision);
}
