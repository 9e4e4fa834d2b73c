/**
 * How a subscription rides out failures that may pass (a database restarting, a dropped
 * connection): such a failed read is reported, then tried again after a delay that doubles
 * from 100 ms up to `maxDelay`, or at once when the wake-up source says there is news (a
 * LISTEN connection back up). Any other failure ends the subscription with that error.
 */
export interface SubscriptionRetry {
  /** Whether the read's failure may pass by itself, so that the read is worth trying again. */
  isTransient(error: unknown): boolean;
  /** Told of each failure that will be retried (never throws; see `ErrorHook`). */
  onError(error: unknown): void;
  /** The longest delay between two tries, in milliseconds (default 2000). */
  maxDelay?: number;
}
