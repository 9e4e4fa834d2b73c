import { IntegrityError } from '../persistence/errors.js';
import type { StoredEvent } from '../persistence/stored-event.js';

/** The IntegrityError of an event that is already recorded. */
export function alreadyRecorded(event: StoredEvent | undefined): IntegrityError {
  return new IntegrityError(
    `Stored event already recorded: originator ${event?.originatorId} version ` +
      `${event?.originatorVersion}. A concurrent writer may have saved first: reload the ` +
      'aggregate and retry the command. Nothing of this batch was stored.',
  );
}
