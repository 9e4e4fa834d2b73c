import { EventProcessingError } from './errors.js';
import type { PromptReceiver } from './leader.js';
import { Runner } from './runner.js';

/**
 * Runs a system in this event loop, deterministically (Python's `SingleThreadedRunner`): the
 * leaders prompt the runner, and the runner processes what they recorded, each follower in
 * the order of the system's pipes, until nothing is left (loops included). An awaited `save()`
 * resolves after every downstream follower has processed it, so tests need not wait. Events
 * saved before `start()` are processed by `start()`.
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
  private readonly prompted = new Set<string>();
  private draining: Promise<void> | null = null;
  private isStopped = false;

  protected override promptReceiver(): PromptReceiver {
    return this;
  }

  /**
   * Adds the leader to the names to process and returns the running processing (started when
   * none runs). Before `start()` and after `stop()` it only notes the name.
   */
  receivePrompt(leaderName: string): Promise<void> | undefined {
    if (this.error !== null) return Promise.reject(this.error);
    this.prompted.add(leaderName);
    if (!this.isStarted || this.isStopped) return undefined;
    this.draining ??= this.drain();
    return this.draining;
  }

  protected override async startRunning(): Promise<void> {
    for (const name of this.system.leaders) this.prompted.add(name);
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
        const [leaderName] = this.prompted;
        if (leaderName === undefined || this.isStopped) return;
        this.prompted.delete(leaderName);
        for (const followerName of this.system.leads.get(leaderName) ?? []) {
          const follower = followers.get(followerName);
          if (follower === undefined) continue;
          try {
            await follower.pullAndProcess(leaderName);
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
