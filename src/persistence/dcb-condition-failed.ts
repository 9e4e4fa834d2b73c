import type { DCBAppendCondition, DCBEvent } from './dcb-recorder.js';
import { IntegrityError } from './errors.js';

/**
 * The `IntegrityError` of a failed DCB append condition: which event conflicts, and what to do.
 * Every DCB recorder throws it, so the message is the same on every backend.
 */
export function dcbConditionFailed(
  position: number,
  event: Pick<DCBEvent, 'type'> | null,
  condition: DCBAppendCondition,
): IntegrityError {
  const after = condition.after ?? null;
  return new IntegrityError(
    `The DCB append condition failed: the event at position ${position}` +
      (event === null ? '' : ` (type ${JSON.stringify(event.type)})`) +
      ` matches failIfEventsMatch ${after === null ? 'and there is no after' : `after position ${after}`}. ` +
      'Nothing was appended: read the consistency boundary again, decide again, and append ' +
      'with the new head as after.',
  );
}

/**
 * The `IntegrityError` of an append some of whose event ids are stored already and some not
 * (ids are unique in a DCB store, so this cannot be a retry of an append that succeeded). Every
 * DCB recorder throws it, so the message is the same on every backend.
 */
export function dcbIdsPartlyStored(): IntegrityError {
  return new IntegrityError(
    'Some ids of the DCB events are already stored, but not all of them (so this is not a ' +
      'retry of an append that succeeded): nothing was appended. Event ids are unique in the ' +
      'store: give new events new ids, and retry an append with exactly its first events.',
  );
}
