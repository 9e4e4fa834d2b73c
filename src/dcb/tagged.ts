import { describeValue } from '../utils/describe-value.js';
import { Decision } from './decision.js';

/**
 * A decision with its tags (Python's `Tagged`): what is appended to, and read from, a DCB event
 * store. Queries and consistency boundaries select decisions by type and tags.
 */
export class Tagged<D extends Decision = Decision> {
  /** The tags that selectors match (an enduring object's id, `course:c1`, …). */
  readonly tags: readonly string[];
  /** The decision. */
  readonly decision: D;
  /**
   * A UUID that makes appending idempotent: appending decisions whose ids are already stored,
   * under the same condition, resolves to the original position. `null` when not needed.
   */
  readonly id: string | null;

  constructor(tags: readonly string[], decision: D, options: { id?: string | null } = {}) {
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '')) {
      throw new TypeError(
        `Tagged takes an array of non-empty string tags, got ${describeValue(tags)}.`,
      );
    }
    if (!(decision instanceof Decision)) {
      throw new TypeError(
        `Tagged takes a Decision (made with SomeDecision.create({ ... })), got ${describeValue(decision)}.`,
      );
    }
    this.tags = Object.freeze([...tags]);
    this.decision = decision;
    this.id = options.id ?? null;
  }
}
