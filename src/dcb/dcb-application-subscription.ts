import type { DCBSubscription } from '../persistence/dcb-recorder.js';
import type { Tracking } from '../persistence/stored-event.js';
import type { DCBApplication } from './dcb-application.js';
import type { Tagged } from './tagged.js';

/** Options of `DCBApplicationSubscription`. */
export interface DCBApplicationSubscriptionOptions {
  /** Only decisions after this position (from the beginning when null). */
  gt?: number | null;
  /** Only decisions of these topics (decision classes' topics; all when empty). */
  topics?: readonly string[];
  /** Aborting it stops the subscription, as `stop()` does. */
  signal?: AbortSignal;
}

/** A tagged decision with its tracking (the application's name and the decision's position). */
export type TrackedDecision = readonly [Tagged, Tracking];

/**
 * The tagged decisions of a `DCBApplication`, in position order, each with its tracking
 * (`{ applicationName: app.name, notificationId: position }`), waiting for new ones until
 * stopped (Python's `DCBApplicationSubscription`): `app.recorder.subscribe(...)` decoded with
 * the application's mapper. A projection records the tracking with what it made of the
 * decision, as with `ApplicationSubscription`. Constructing it does no I/O; `stop()`, breaking
 * out of the loop, the signal, or `await using` ends it.
 */
export class DCBApplicationSubscription implements AsyncIterable<TrackedDecision>, AsyncDisposable {
  /** The application whose decisions are read. */
  readonly app: DCBApplication;
  private readonly subscription: DCBSubscription;

  constructor(app: DCBApplication, options: DCBApplicationSubscriptionOptions = {}) {
    this.app = app;
    const { gt = null, topics = [], signal } = options;
    const query = topics.length === 0 ? null : { items: [{ types: [...topics], tags: [] }] };
    this.subscription = app.recorder.subscribe(query, { after: gt, signal });
  }

  /** The decisions one by one, each with its tracking, waiting for new ones until stopped. */
  async *[Symbol.asyncIterator](): AsyncIterator<TrackedDecision> {
    const name = this.app.name;
    for await (const sequenced of this.subscription) {
      const tagged = this.app.mapper.toTagged(sequenced.event);
      yield [tagged, { applicationName: name, notificationId: sequenced.position }];
    }
  }

  /** Ends the subscription (iteration finishes); safe to call more than once. */
  stop(): void {
    this.subscription.stop();
  }

  /** Stops the subscription at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.subscription[Symbol.asyncDispose]();
  }
}
