import { describeValue } from '../utils/describe-value.js';
import { checkDCBQuery, checkPosition, copyDCBQuery } from './dcb-query.js';
import type {
  DCBQuery,
  DCBReadOptions,
  DCBReadResponse,
  DCBSequencedEvent,
  DCBSubscribeOptions,
  DCBSubscription,
} from './dcb-recorder.js';
import type { WakeUpSource } from './notification-signal.js';
import { PositionSubscription } from './position-subscription.js';
import type { SubscriptionRetry } from './subscription-retry.js';

/** What a `DCBEventSubscription` reads from: a DCB recorder's `read`. */
export interface DCBEventReader {
  /** The matching events after `after`, at most `limit`, ascending (as `DCBRecorder.read`). */
  read(query: DCBQuery | null, options: DCBReadOptions): Promise<DCBReadResponse>;
}

/** How a `DCBEventSubscription` learns of new events: a backend's wake-ups and polling. */
export interface DCBEventSubscriptionWaiting {
  /** Tells the subscription when new events may exist (in-process appends, LISTEN/NOTIFY). */
  wakeUp?: WakeUpSource | null;
  /** Milliseconds between polls while waiting (writers elsewhere); null: wake-ups only. */
  pollInterval?: number | null;
  /** How many events to read per query (default 500). */
  batchSize?: number;
  /**
   * How to ride out reads that fail for a reason that may pass (a database restarting, a
   * dropped connection): reported and tried again with backoff, as application subscriptions
   * do. Null (the default): any failed read ends the subscription with its error.
   */
  retry?: SubscriptionRetry | null;
}

function positionOf(event: DCBSequencedEvent): number {
  return event.position;
}

/**
 * The subscription of every DCB recorder (`DCBRecorder.subscribe`): the shared
 * `PositionSubscription` loop over `read(query, { after: last, limit })`. It yields every
 * matching event after `after`, in position order, once each, then waits for new ones until
 * `stop()` is called, the signal aborts, the `for await` loop exits, or it is disposed; a
 * stopped subscription leaves no listener or timer behind. Safe because every built-in DCB
 * recorder makes positions visible in commit order. With `retry`, a read that fails for a
 * reason that may pass is tried again (after the last event yielded) instead of ending it.
 */
export class DCBEventSubscription
  extends PositionSubscription<DCBSequencedEvent>
  implements DCBSubscription
{
  /** @throws TypeError for a bad query or option (synchronously, before anything is read). */
  constructor(
    reader: DCBEventReader,
    query: DCBQuery | null | undefined,
    options: DCBSubscribeOptions | undefined,
    waiting: DCBEventSubscriptionWaiting,
  ) {
    checkDCBQuery(query);
    if (options !== null && options !== undefined && typeof options !== 'object') {
      throw new TypeError(
        `DCB subscribe options are ${describeValue(options)}: expected { after?, signal? }.`,
      );
    }
    const after = options?.after ?? null;
    checkPosition('after', after);
    const q = copyDCBQuery(query);
    super({
      selectAfter: async (position, limit) =>
        (await reader.read(q, { after: position, limit })).events,
      positionOf,
      after,
      wakeUp: waiting.wakeUp ?? null,
      pollInterval: waiting.pollInterval ?? null,
      batchSize: waiting.batchSize ?? 500,
      signal: options?.signal ?? null,
      retry: waiting.retry ?? null,
    });
  }
}
