import { DEFAULT_WAIT_TIMEOUT } from '../persistence/poll-for-tracking.js';
import type { WaitOptions } from '../persistence/recorders.js';
import type { Progress } from './progress.js';

/** Milliseconds before a wait also polls the view, once the runner's own commits settle it. */
const VIEW_POLL_DELAY = 100;

/**
 * What `waitForRunner` needs of its runner (a `BaseProjectionRunner`).
 *
 * @internal
 */
export interface WaitingRunner {
  /** Aborts when the runner stops processing (stopped, or failed). */
  readonly interrupted: AbortSignal;
  /** Where the runner's own commits have brought the view. */
  readonly progress: Progress;
  /** Throws the processing error, if processing failed. */
  throwIfFailed(): void;
  /** The view's own wait for the upstream notification (it polls the database). */
  waitForView(notificationId: number | null, options: WaitOptions): Promise<void>;
}

/**
 * `BaseProjectionRunner.wait` (see there): races the runner's own progress, the view's wait
 * (delayed, once the runner knows where the view stands), the caller's signal and the runner
 * stopping.
 *
 * @internal
 */
export async function waitForRunner(
  runner: WaitingRunner,
  notificationId: number | null,
  options: WaitOptions,
): Promise<void> {
  runner.throwIfFailed();
  const interrupted = runner.interrupted;
  if (interrupted.aborted) return;
  const local = new AbortController();
  const abort = (): void => local.abort();
  const { signal, timeout } = options;
  if (signal?.aborted) local.abort();
  signal?.addEventListener('abort', abort, { once: true });
  interrupted.addEventListener('abort', abort, { once: true });
  try {
    // The view's own wait polls the database, in case another process advances the view.
    // Once this runner knows where the view stands, its commits settle `reached` without a
    // query, so the polling starts later, to keep it off the path of a live event.
    const deadline = performance.now() + (timeout ?? DEFAULT_WAIT_TIMEOUT);
    const viewWait = (
      runner.progress.isKnown ? delay(VIEW_POLL_DELAY, local.signal) : Promise.resolve()
    ).then(() =>
      runner.waitForView(notificationId, {
        timeout: Math.max(0, deadline - performance.now()),
        signal: local.signal,
      }),
    );
    // The abort settles the wait at once, even when the view's wait is held up by a read in
    // flight while the view closes.
    const aborted = new Promise<'aborted'>((resolve) => {
      local.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const reached = runner.progress.reached(notificationId ?? 0, local.signal);
    if ((await Promise.race([viewWait, reached, aborted])) === 'aborted') {
      runner.throwIfFailed();
      if (interrupted.aborted) return;
      await viewWait; // the caller's signal: the view's wait rejects with WaitInterruptedError
    }
  } catch (error) {
    runner.throwIfFailed();
    if (interrupted.aborted) return;
    throw error;
  } finally {
    local.abort();
    signal?.removeEventListener('abort', abort);
    interrupted.removeEventListener('abort', abort);
  }
}

/** Resolves after `ms` milliseconds, or at once when `signal` aborts (leaving no timer). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
