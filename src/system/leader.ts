import { Application, type Saveable } from '../application/application.js';
import type { ProcessingEvent } from '../application/processing-event.js';

import type { Recording } from '../persistence/recording.js';

/**
 * What a leader tells its prompt receivers after it has recorded events (Python's
 * `RecordingEvent`): its name, the recordings (each domain event with its notification) and
 * the greatest notification id it had notified before them.
 */
export interface RecordingEvent {
  /** The leader's application name. */
  readonly applicationName: string;
  /** The recordings of the save or record, filtered by the leader's `notifyTopics`. */
  readonly recordings: readonly Recording[];
  /**
   * The greatest notification id the leader had notified before these recordings; on its first
   * prompt, one less than the first of them (null when that is not known).
   */
  readonly previousMaxNotificationId: number | null;
}

/**
 * Receives a leader's prompts (a runner): `receivePrompt` is called after each save or record
 * that stored events. What it returns is awaited by the leader's `save()` (so a
 * `SingleThreadedRunner` finishes processing before `save` resolves), and not by `record()`.
 */
export interface PromptReceiver {
  /** Called with the leader's name and what it recorded. */
  receivePrompt(leaderName: string, recordingEvent: RecordingEvent): void | Promise<void>;
}

/** Marks leading applications (`Leader`, `ProcessApplication`, wrapped leader classes). */
export const LEADING: unique symbol = Symbol('eventsourcing.leading');

/** A class whose instances lead: it has the static `notifyTopics`. */
interface LeadingClass {
  readonly notifyTopics?: readonly string[];
}

/**
 * The leading part of `Leader` and `ProcessApplication` (JavaScript has one base class): the
 * receivers and the prompts sent to them.
 *
 * @internal
 */
export class Leading {
  /** The receivers prompted after each save or record, each once. */
  readonly receivers = new Set<PromptReceiver>();
  private previousMax: number | null = null;
  private readonly app: Application;

  constructor(app: Application) {
    this.app = app;
  }

  /** Adds a receiver (once, however often it is given). */
  lead(receiver: PromptReceiver): void {
    if (receiver === null || typeof receiver?.receivePrompt !== 'function') {
      throw new TypeError(
        'lead() needs a prompt receiver: an object with receivePrompt(leaderName, recordingEvent).',
      );
    }
    this.receivers.add(receiver);
  }

  /**
   * Prompts every receiver with the recordings (those of `notifyTopics` when set); nothing when
   * none are left. Resolves when what every receiver returned has resolved.
   */
  prompt(recordings: readonly Recording[]): Promise<void> | undefined {
    if (recordings.length === 0 || this.receivers.size === 0) return undefined;
    const topics = (this.app.constructor as LeadingClass).notifyTopics ?? [];
    const selected =
      topics.length === 0
        ? recordings
        : recordings.filter((recording) => topics.includes(recording.notification.topic));
    const first = selected[0];
    const last = selected[selected.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const recordingEvent: RecordingEvent = {
      applicationName: this.app.name,
      recordings: selected,
      previousMaxNotificationId: this.previousMax ?? first.notification.id - 1,
    };
    this.previousMax = Math.max(this.previousMax ?? 0, last.notification.id);
    const waits: Promise<void>[] = [];
    for (const receiver of this.receivers) {
      const returned = receiver.receivePrompt(this.app.name, recordingEvent);
      if (returned !== undefined) waits.push(returned);
    }
    if (waits.length === 0) return undefined;
    return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }

  /** Prompts without waiting (inside processing): what the receivers return is not awaited. */
  promptInBackground(recordings: readonly Recording[]): void {
    // A receiver's failure surfaces through the calls that wait on its work (a save, stop()).
    this.prompt(recordings)?.catch(() => {});
  }
}

/** Whether the class is a leading class: `Leader`, `ProcessApplication`, or a subclass. */
export function isLeaderClass(cls: unknown): boolean {
  return (
    typeof cls === 'function' &&
    (cls as { prototype?: Record<symbol, unknown> }).prototype?.[LEADING] === true
  );
}

/**
 * An application that prompts its followers (Python's `Leader`): after each save or record
 * that stored events, every receiver given to `lead()` gets `receivePrompt(name,
 * recordingEvent)`. An awaited `save()` also awaits what the receivers return, so with a
 * `SingleThreadedRunner` it resolves after the system has processed what it saved. A policy
 * must not call `save()` on its own application (it would wait for itself): it gives its
 * aggregates to `processingEvent.collectEvents`.
 *
 * The static `notifyTopics` (empty: every event) chooses the events that prompt.
 *
 * @example
 * ```ts no-run
 * class BankAccounts extends Leader {
 *   async openAccount(fullName: string, emailAddress: string): Promise<string> {
 *     const account = new BankAccount(fullName, emailAddress);
 *     await this.save(account);
 *     return account.id;
 *   }
 * }
 * ```
 */
export class Leader extends Application {
  /** The topics of the events that prompt the receivers; empty (the default) means all. */
  static notifyTopics: readonly string[] = [];

  /** True for leading applications (also process applications and wrapped leader classes). */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    if (this === Leader) {
      return (
        typeof instance === 'object' &&
        instance !== null &&
        (instance as Record<symbol, unknown>)[LEADING] === true
      );
    }
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }

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

  /** Records, then prompts the receivers without awaiting them (used while processing). */
  override async record(processingEvent: ProcessingEvent): Promise<Recording[]> {
    const recordings = await super.record(processingEvent);
    this.leading.promptInBackground(recordings);
    return recordings;
  }
}
