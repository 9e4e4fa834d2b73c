import type { Recording } from '../persistence/recording.js';
import { EventProcessingError } from './errors.js';
import type { PromptReceiver, RecordingEvent } from './leader.js';
import { Runner } from './runner.js';

/**
 * Runs a system in this event loop, deterministically (Python's `SingleThreadedRunner`): the
 * leaders prompt the runner, and the runner processes what they recorded, each follower in
 * the order of the system's pipes, until nothing is left (loops included). An awaited `save()`
 * resolves after every downstream follower has processed it, so tests need not wait. Events
 * saved before `start()` are processed by `start()`. A follower is given the domain events its
 * leader saved, as they were saved (Python's `NewSingleThreadedRunner`), when they are the next
 * after its tracking of the leader; otherwise (events saved elsewhere, before `start()`, or
 * filtered by `notifyTopics`) it pulls them from the leader's log.
 *
 * A policy error is an `EventProcessingError` (carrying it as `cause`) from the `save()` that
 * caused the processing, from each later `save()` of a leader, and from `stop()`; nothing is
 * processed after it.
 *
 * @example
 * ```ts no-run
 * await using runner = new SingleThreadedRunner(new System([[BankAccounts, EmailProcess]]));
 * await runner.start();
 * await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
 * // EmailProcess has processed the account's event here.
 * ```
 */
export class SingleThreadedRunner extends Runner implements PromptReceiver {
  /**
   * The leaders to process, each with the recordings its prompts carried since (processed as
   * they are when they follow a follower's tracking), or null: pull its log.
   */
  private readonly prompted = new Map<string, Recording[] | null>();
  private draining: Promise<void> | null = null;
  private isStopped = false;

  protected override promptReceiver(): PromptReceiver {
    return this;
  }

  /**
   * Adds the leader to the names to process and returns the running processing (started when
   * none runs). Before `start()` and after `stop()` it only notes the name.
   */
  receivePrompt(leaderName: string, recordingEvent?: RecordingEvent): Promise<void> | undefined {
    if (this.error !== null) return Promise.reject(this.error);
    const received = this.prompted.get(leaderName);
    if (!this.isStarted || this.isStopped || recordingEvent === undefined) {
      this.prompted.set(leaderName, null);
    } else if (received === undefined) {
      this.prompted.set(leaderName, [...recordingEvent.recordings]);
    } else if (received !== null) {
      received.push(...recordingEvent.recordings);
    }
    if (!this.isStarted || this.isStopped) return undefined;
    this.draining ??= this.drain();
    return this.draining;
  }

  protected override async startRunning(): Promise<void> {
    for (const name of this.system.leaders) this.prompted.set(name, null);
    this.draining ??= this.drain();
    await this.draining;
  }

  protected override async stopRunning(): Promise<void> {
    this.isStopped = true;
    // Let the processing in progress finish (its error is kept in this.error).
    await this.draining?.catch(() => {});
  }

  /** Processes the prompted leaders' new events until no leader is left. */
  private async drain(): Promise<void> {
    // Starts after the caller has kept the promise, so that the end below always clears it.
    await undefined;
    try {
      const followers = this.followers();
      for (;;) {
        const [entry] = this.prompted;
        if (entry === undefined || this.isStopped) return;
        const [leaderName, received] = entry;
        this.prompted.delete(leaderName);
        // Concurrent saves may prompt out of order.
        received?.sort((a, b) => a.notification.id - b.notification.id);
        for (const followerName of this.system.leads.get(leaderName) ?? []) {
          const follower = followers.get(followerName);
          if (follower === undefined) continue;
          try {
            const processed =
              received !== null && (await follower.processRecordings(leaderName, received));
            if (!processed) await follower.pullAndProcess(leaderName);
          } catch (cause) {
            const error = EventProcessingError.from(
              cause,
              `${followerName} processing events of ${leaderName}`,
            );
            this.failWith(error);
            this.prompted.clear();
            throw this.error ?? error;
          }
        }
      }
    } finally {
      this.draining = null;
    }
  }
}
