/**
 * A command line that cannot be run as given (a missing or unknown option, a bad value): the
 * command prints its message and the usage, and exits with status 2.
 *
 * @internal
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
