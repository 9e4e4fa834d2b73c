import { IntegrityError } from '../persistence/errors.js';
import type { Tracking } from '../persistence/stored-event.js';

/** The IntegrityError of a tracking id that is not greater than the recorded one. */
export function trackingConflict(tracking: Tracking, max: number | null): IntegrityError {
  return new IntegrityError(
    `Tracking notification ID ${tracking.notificationId} not greater than current max ` +
      `tracking ID ${max ?? '(unknown)'} for application '${tracking.applicationName}': that ` +
      'notification has already been processed (perhaps by a concurrent processor). Skip it, or ' +
      'resume from the recorded position.',
  );
}
