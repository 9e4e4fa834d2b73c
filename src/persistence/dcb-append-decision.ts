import { dcbConditionFailed, dcbIdsPartlyStored } from './dcb-condition-failed.js';
import type { DCBAppendCondition } from './dcb-recorder.js';

/** What a DCB recorder has found out about an append, for `decideDCBAppend`. */
export interface DCBAppendFindings {
  /** How many events the append has. */
  readonly eventCount: number;
  /** How many of their ids are stored already. */
  readonly storedIds: number;
  /** The greatest position of the events whose ids are stored (0 when none is). */
  readonly originalPosition: number;
  /** The append's condition (none when null or absent). */
  readonly condition: DCBAppendCondition | null | undefined;
  /**
   * The first event after the condition's `after` that matches its query (position and type),
   * or null; with `ignoringOwnIds`, passing over events that have one of the append's ids.
   */
  firstConflict(ignoringOwnIds: boolean): { position: number; type: string } | null;
}

/**
 * The rules of a DCB append that every recorder keeps (the PostgreSQL recorder in its plpgsql
 * function, the others through this), run where nothing else can append in between: when every
 * event's id is stored already (a retry of an append that succeeded), the original position,
 * with or without a condition, even when the condition now fails only because of those events;
 * else null: insert the events.
 *
 * @throws IntegrityError when the condition fails (`dcbConditionFailed`), or when some ids are
 * stored and some are not (`dcbIdsPartlyStored`).
 */
export function decideDCBAppend(findings: DCBAppendFindings): number | null {
  const { condition, storedIds, originalPosition } = findings;
  const retry = storedIds === findings.eventCount;
  if (condition !== null && condition !== undefined) {
    const conflict = findings.firstConflict(false);
    if (conflict !== null) {
      if (retry && findings.firstConflict(true) === null) return originalPosition;
      throw dcbConditionFailed(conflict.position, { type: conflict.type }, condition);
    }
  }
  if (storedIds > 0) {
    if (retry) return originalPosition;
    throw dcbIdsPartlyStored();
  }
  return null;
}
