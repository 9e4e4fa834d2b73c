import type { Saveable } from '../application/application.js';
import type { ProcessingEvent } from '../application/processing-event.js';
import type { Recording } from '../persistence/recording.js';
import { Follower } from './follower.js';
import { LEADING, Leading, type PromptReceiver } from './leader.js';

/**
 * A follower that also leads (Python's `ProcessApplication`): its policy turns the events of
 * the applications it follows into events of its own, and the applications that follow it are
 * prompted when it records them. `instanceof Leader` is true for it.
 *
 * The static `topics` filters the events it processes, `notifyTopics` the events that prompt.
 *
 * @example
 * ```ts no-run
 * class Payments extends ProcessApplication {
 *   override async policy(event: DomainEventLike, processingEvent: ProcessingEvent) {
 *     if (event instanceof Order.Created) {
 *       processingEvent.collectEvents(new Payment(event.originatorId, event.amount));
 *     }
 *   }
 * }
 * const system = new System([[Orders, Payments, Orders]]);
 * ```
 */
export class ProcessApplication extends Follower {
  /** The topics of the events that prompt the receivers; empty (the default) means all. */
  static notifyTopics: readonly string[] = [];

  private readonly leading = new Leading(this);

  static {
    // The mark `isLeaderClass` looks for, set in the class body so that it goes with the class.
    Object.defineProperty(this.prototype, LEADING, { value: true });
  }

  /** Adds a receiver of this application's prompts (a runner); each is prompted once. */
  lead(receiver: PromptReceiver): void {
    this.leading.lead(receiver);
  }

  /** Saves, then prompts the receivers and awaits what they return. */
  override async save(...items: Saveable[]): Promise<Recording[]> {
    const recordings = await super.save(...items);
    await this.leading.prompt(recordings);
    return recordings;
  }

  /** Records (while processing), then prompts the receivers without awaiting them. */
  override async record(processingEvent: ProcessingEvent): Promise<Recording[]> {
    const recordings = await super.record(processingEvent);
    this.leading.promptInBackground(recordings);
    return recordings;
  }
}
