import { TimeoutError, WaitInterruptedError } from './errors.js';
import type { WaitOptions } from './recorders.js';

/** The default `wait` timeout, in milliseconds (Python's 1.0 second). */
export const DEFAULT_WAIT_TIMEOUT = 1000;

const FIRST_DELAY = 5;
const MAX_DELAY = 100;

/**
 * Implements `TrackingRecorder.wait` for recorders that can only be polled (databases written by
 * other processes): asks `hasTrackingId` until it answers true, waiting 5 ms, then twice as long
 * each time up to 100 ms, until the timeout (rejects with `TimeoutError`) or the signal aborts
 * (rejects with `WaitInterruptedError`). Leaves no timer or listener behind.
 */
export async function pollForTracking(
  hasTrackingId: () => Promise<boolean>,
  applicationName: string,
  notificationId?: number | null,
  options: WaitOptions = {},
): Promise<void> {
  const timeout = options.timeout ?? DEFAULT_WAIT_TIMEOUT;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new TypeError(`timeout must be a number of milliseconds ≥ 0, not ${String(timeout)}.`);
  }
  const signal = options.signal;
  const deadline = performance.now() + timeout;
  let delay = FIRST_DELAY;
  for (;;) {
    if (signal?.aborted) throw interrupted(applicationName, notificationId ?? null, signal);
    if (await hasTrackingId()) return;
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      throw new TimeoutError(
        `Timed out waiting for notification ${notificationId} from application ` +
          `'${applicationName}' to be processed. Check that its processor is running, or wait longer.`,
      );
    }
    await sleep(Math.min(delay, remaining), signal);
    delay = Math.min(delay * 2, MAX_DELAY);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function interrupted(
  applicationName: string,
  notificationId: number | null,
  signal: AbortSignal,
): WaitInterruptedError {
  return new WaitInterruptedError(
    `Stopped waiting for notification ${notificationId} from application '${applicationName}': ` +
      'the wait was interrupted by its abort signal.',
    { cause: signal.reason },
  );
}
