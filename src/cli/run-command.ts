import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { NotificationLog } from '../application/notification-log.js';
import { HttpNotificationLogInterface } from '../interface/http-notification-log-interface.js';
import { toNodeListener } from '../interface/node-listener.js';
import { createNotificationLogHandler } from '../interface/notification-log-handler.js';
import { NotificationLogJSONClient } from '../interface/notification-log-json-client.js';
import { NotificationLogJSONService } from '../interface/notification-log-json-service.js';
import { FollowerHost } from '../system/follower-host.js';
import { importSystem, type SystemReference } from '../system/system-reference.js';
import { parseModuleReference } from './module-reference.js';
import { UsageError } from './usage-error.js';

/** Usage of `eventsourcing run`. @internal */
export const RUN_USAGE = `Usage: eventsourcing run --system <module>#<export> [--only <Follower>,...]
         [--leader <Leader>=<url> ...] [--serve [<host>:]<port>]

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
  --leader <Leader>=<url>     Reads that leader's notification log over HTTP from <url> (where
                              createNotificationLogHandler serves it, or another process's
                              --serve) instead of from its database: a system across machines
                              that share no database. Repeat it for each remote leader.
  --serve [<host>:]<port>     Serves the notification log of each follower run here at
                              http://<host>:<port>/<Follower>/notifications, for followers
                              elsewhere (host default 127.0.0.1; 0.0.0.0 for every interface).
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
  /** The URLs of the leaders read over HTTP, by leader name. */
  readonly leaders: Readonly<Record<string, string>>;
  /** Where to serve the hosted followers' logs, or null. */
  readonly serve: { readonly host: string; readonly port: number } | null;
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
  let values: {
    system?: string | undefined;
    only?: string | undefined;
    leader?: string[] | undefined;
    serve?: string | undefined;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        system: { type: 'string' },
        only: { type: 'string' },
        leader: { type: 'string', multiple: true },
        serve: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    return {
      system: { module: '-', export: '-' },
      only: undefined,
      leaders: {},
      serve: null,
      help: true,
    };
  }
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
  const leaders: Record<string, string> = {};
  for (const value of values.leader ?? []) {
    const match = /^([^=\s]+)=(https?:\/\/\S+)$/.exec(value);
    if (match === null || !URL.canParse(match[2] as string)) {
      throw new UsageError(
        `--leader needs <Leader>=<url> (--leader Orders=http://host:8000/notifications), got '${value}'.`,
      );
    }
    leaders[match[1] as string] = (match[2] as string).replace(/\/+$/, '');
  }
  return { system, only, leaders, serve: parseServe(values.serve), help: false };
}

/** `--serve [<host>:]<port>`. */
function parseServe(value: string | undefined): RunArguments['serve'] {
  if (value === undefined) return null;
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) {
    throw new UsageError(
      `--serve needs [<host>:]<port> (--serve 8001, --serve 0.0.0.0:8001), got '${value}'.`,
    );
  }
  return { host: match[1] ?? '127.0.0.1', port };
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
  let server: Server | null = null;
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
    const unknownLeaders = Object.keys(parsed.leaders).filter(
      (name) => !system.leaders.includes(name),
    );
    if (unknownLeaders.length > 0) {
      throw new UsageError(
        `--leader: not a leader of the system: ${unknownLeaders.join(', ')} (its leaders: ${
          system.leaders.join(', ') || 'none'
        }).`,
      );
    }
    const leaderLogs: Record<string, NotificationLog> = {};
    for (const [name, url] of Object.entries(parsed.leaders)) {
      leaderLogs[name] = new NotificationLogJSONClient(new HttpNotificationLogInterface(url));
    }
    host = new FollowerHost(system, {
      ...(parsed.only === undefined ? {} : { only: parsed.only }),
      leaderLogs,
      onError: (error, source) =>
        output.err(`eventsourcing run: retrying (${source}): ${error.message}\n`),
    });
    host.requireSharedDatabase();
    await host.start();
    output.out(
      `eventsourcing run: running ${host.hosted.join(', ') || 'no follower'} (pid ${process.pid})\n`,
    );
    if (parsed.serve !== null) {
      server = await serveLogs(host, parsed.serve, stop.signal);
      const { port } = server.address() as AddressInfo;
      for (const name of host.hosted) {
        output.out(
          `eventsourcing run: serving ${name} at http://${parsed.serve.host}:${port}/${name}/notifications\n`,
        );
      }
    }
    await host.runForever({ signal: stop.signal });
    stop.abort();
    await closeServer(server);
    await host.stop();
    output.out('eventsourcing run: stopped\n');
    return 0;
  } catch (error) {
    stop.abort();
    await closeServer(server);
    if (error instanceof UsageError) throw error;
    await host?.stop().catch(() => {});
    output.err(`eventsourcing run: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Serves the notification log of each follower the host runs at `/{Name}/notifications`
 * (streams end when `signal` aborts).
 */
async function serveLogs(
  host: FollowerHost,
  where: { readonly host: string; readonly port: number },
  signal: AbortSignal,
): Promise<Server> {
  const handlers = new Map(
    host.hosted.map((name) => [
      name,
      createNotificationLogHandler(new NotificationLogJSONService(host.apps.get(name)!), {
        basePath: `/${name}/notifications`,
        signal,
      }),
    ]),
  );
  const server = createServer(
    toNodeListener(async (request) => {
      const name = decodeURIComponent(new URL(request.url).pathname.split('/')[1] ?? '');
      const handler = handlers.get(name);
      if (handler !== undefined) return handler(request);
      return Response.json(
        {
          error: `Not found: the logs served here are ${[...handlers.keys()]
            .map((n) => `/${n}/notifications`)
            .join(', ')}.`,
        },
        { status: 404 },
      );
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function closeServer(server: Server | null): Promise<void> {
  if (server === null) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
