/**
 * Receives the errors of work done in the background, which no call is waiting for: an idle
 * pooled connection lost (`source` 'pool'), the LISTEN connection failing or reconnecting
 * ('listen'), a subscription retrying a read while the database is unreachable
 * ('subscription'). The library goes on after each (reconnecting, retrying); the hook is for
 * logging and alerting. It must not throw (what it throws is reported as a warning).
 */
export type ErrorHook = (error: Error, source: string) => void;

/**
 * Sends background errors to an `ErrorHook`, or, when there is none, reports the first error
 * of each source with `process.emitWarning` (type `EventSourcingWarning`): never silent, never
 * a crash, and no flood of warnings while a database is down.
 */
export class ErrorReporter {
  private readonly hook: () => ErrorHook | null | undefined;
  private readonly warned = new Set<string>();

  /** `hook` is read at each report, so that it can be set after construction. */
  constructor(hook: () => ErrorHook | null | undefined) {
    this.hook = hook;
  }

  /** Passes the error to the hook, or warns once for its source. Never throws. */
  report(error: unknown, source: string): void {
    const err = error instanceof Error ? error : new Error(String(error));
    const hook = this.hook();
    if (typeof hook === 'function') {
      try {
        hook(err, source);
        return;
      } catch (hookError) {
        this.warnOnce(
          'onError',
          `the onError hook threw ${String(hookError)} while reporting: ${err.message}`,
        );
        return;
      }
    }
    this.warnOnce(
      source,
      `${source}: ${err.message} (further ${source} errors are not shown: pass an onError ` +
        'hook to see every one)',
    );
  }

  private warnOnce(source: string, message: string): void {
    if (this.warned.has(source)) return;
    this.warned.add(source);
    process.emitWarning(message, { type: 'EventSourcingWarning' });
  }
}
