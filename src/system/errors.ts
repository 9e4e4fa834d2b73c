/**
 * Thrown by a runner's `start()` when the runner has already been started: a runner runs its
 * system once. Make a new runner to run the system again.
 */
export class RunnerAlreadyStartedError extends Error {
  constructor(
    message = 'The runner has already been started: start() runs a system once. Make a new ' +
      'runner (new SingleThreadedRunner(system, { env })) to run the system again.',
  ) {
    super(message);
    this.name = 'RunnerAlreadyStartedError';
  }
}

/**
 * A follower failed to process an event (its policy threw, or recording what it collected
 * failed). The message includes the cause's message and `cause` is the original error. The
 * runner stops processing: nothing after the failed event is processed by that runner.
 */
export class EventProcessingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventProcessingError';
  }

  /**
   * The error for a failure met while processing: the cause itself when it already is an
   * `EventProcessingError`, else a new one whose message names where it happened (`context`,
   * e.g. `"EmailProcess processing BankAccounts notification 3"`) and includes the cause's
   * message.
   */
  static from(cause: unknown, context?: string): EventProcessingError {
    if (cause instanceof EventProcessingError) return cause;
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const where = context === undefined ? '' : ` (${context})`;
    return new EventProcessingError(
      `Event processing failed${where}: ${reason}. Fix the policy or its data; the runner ` +
        'processed nothing after it, and a new runner resumes from the recorded tracking.',
      { cause },
    );
  }
}
