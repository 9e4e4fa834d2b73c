import { parseArgs } from 'node:util';
import { FollowerHost } from '../system/follower-host.js';
import { importSystem, type SystemReference } from '../system/system-reference.js';
import { parseModuleReference } from './module-reference.js';
import { UsageError } from './usage-error.js';

/** Usage of `eventsourcing run`. @internal */
export const RUN_USAGE = `Usage: eventsourcing run --system <module>#<export> [--only <Follower>,...]

Runs followers of a system in this process until SIGINT or SIGTERM, then stops cleanly
(exit status 0). Each follower processes only while this process owns it: start the same
command on several machines, and one of them processes each follower at a time, another
taking over when it stops. Followers are woken by the database (LISTEN/NOTIFY on PostgreSQL,
polling on SQLite), so the system's leaders may run anywhere.

Options:
  --system <module>#<export>  The module that defines the System, and the name of its export
                              (a path relative to the current directory, a file: URL or a
                              package; Python's <module>:<export> is accepted too).
  --only <A>,<B>              The followers to run (default: every follower of the system).
  -h, --help                  Shows this help.

The applications' environment is this process's: PERSISTENCE_MODULE=postgres (and the
POSTGRES_* variables), or sqlite with a database file per application (APPNAME_SQLITE_DBNAME).

Exit status: 0 stopped by a signal, 1 processing failed or the system could not start,
2 bad arguments.`;

/** The arguments of `eventsourcing run`. @internal */
export interface RunArguments {
  /** Where the system is defined. */
  readonly system: SystemReference;
  /** The followers to run (undefined: all). */
  readonly only: readonly string[] | undefined;
  /** Whether help was asked for. */
  readonly help: boolean;
}

/**
 * Parses the arguments after `run`.
 *
 * @throws UsageError for an unknown option, a missing `--system`, a bad reference.
 * @internal
 */
export function parseRunArguments(args: readonly string[]): RunArguments {
  let values: { system?: string | undefined; only?: string | undefined; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        system: { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true)
    return { system: { module: '-', export: '-' }, only: undefined, help: true };
  if (values.system === undefined) {
    throw new UsageError("run needs --system <module>#<export>: the system's module and export.");
  }
  const system = parseModuleReference(values.system);
  let only: string[] | undefined;
  if (values.only !== undefined) {
    only = values.only
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (only.length === 0) {
      throw new UsageError('--only needs follower names, separated by commas (--only A,B).');
    }
  }
  return { system, only, help: false };
}

/** Where a command writes. @internal */
export interface CommandOutput {
  /** Normal output. */
  out(text: string): void;
  /** Errors and warnings. */
  err(text: string): void;
}

/**
 * Runs `eventsourcing run`: the system's chosen followers in a `FollowerHost` until SIGINT or
 * SIGTERM (or `signal`), and resolves to the exit status (0 stopped, 1 failed). Bad arguments
 * throw `UsageError`.
 *
 * @internal
 */
export async function runCommand(
  args: readonly string[],
  output: CommandOutput,
  signal?: AbortSignal,
): Promise<number> {
  const parsed = parseRunArguments(args);
  if (parsed.help) {
    output.out(`${RUN_USAGE}\n`);
    return 0;
  }
  const stop = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    output.out(`eventsourcing run: ${name} received, stopping\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  signal?.addEventListener('abort', () => stop.abort(), { once: true });
  let host: FollowerHost | null = null;
  try {
    const system = await importSystem(parsed.system);
    if (parsed.only !== undefined) {
      // A name that is not a follower is an argument error, not a failure to run.
      const unknown = parsed.only.filter((name) => !system.followers.includes(name));
      if (unknown.length > 0) {
        throw new UsageError(
          `--only: not a follower of the system: ${unknown.join(', ')} (its followers: ${
            system.followers.join(', ') || 'none'
          }).`,
        );
      }
    }
    host = new FollowerHost(system, {
      ...(parsed.only === undefined ? {} : { only: parsed.only }),
      onError: (error, source) =>
        output.err(`eventsourcing run: retrying (${source}): ${error.message}\n`),
    });
    host.requireSharedDatabase();
    await host.start();
    output.out(
      `eventsourcing run: running ${host.hosted.join(', ') || 'no follower'} (pid ${process.pid})\n`,
    );
    await host.runForever({ signal: stop.signal });
    await host.stop();
    output.out('eventsourcing run: stopped\n');
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    await host?.stop().catch(() => {});
    output.err(`eventsourcing run: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
