import { describeValue } from '../utils/describe-value.js';
import { pollForTracking } from './poll-for-tracking.js';
import type { WaitOptions } from './recorders.js';

/**
 * `TrackingRecorder.wait` for the SQLite and PostgreSQL recorders: polls `hasTrackingId` (the tracking may be
 * written by another process), and is interrupted (`WaitInterruptedError`) by the caller's
 * signal or by `closed`, the recorder's own signal aborted when it closes.
 */
export async function waitForTracking(
  hasTrackingId: () => Promise<boolean>,
  closed: AbortSignal,
  applicationName: string,
  notificationId: number | null,
  options?: WaitOptions,
): Promise<void> {
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, not ${describeValue(signal)}.`);
  }
  // Nothing to wait for (even if the signal has aborted) when it has been processed already.
  if (await hasTrackingId()) return;
  return pollForTracking(hasTrackingId, applicationName, notificationId, {
    timeout: options?.timeout,
    signal: signal === undefined ? closed : AbortSignal.any([signal, closed]),
  });
}
