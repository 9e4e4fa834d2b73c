import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalNotificationLog } from '../application/notification-log.js';
import { createEventBrowserHandler } from '../browser/event-browser-handler.js';
import { toNodeListener } from '../interface/node-listener.js';
import { createNotificationLogHandler } from '../interface/notification-log-handler.js';
import { NotificationLogJSONService } from '../interface/notification-log-json-service.js';
import { StoreInspector } from '../interface/store-inspector.js';
import {
  INSPECTION_OPTIONS,
  type InspectionValues,
  prepareInspection,
  requireSharedStorage,
} from './inspection-options.js';
import { integerOption, parseCommandArgs } from './parse-command-args.js';
import type { CommandOutput } from './run-command.js';
import { UsageError } from './usage-error.js';

/** Usage of `eventsourcing serve`. @internal */
export const SERVE_USAGE = `Usage: eventsourcing serve --app <Name> [--port <N>] [--host <H>]
         [--env-file <path>] [--import <module> ...]

Serves the web event browser of an application at http://<host>:<port>/ (its notification
log paged and filtered by topic, an aggregate's history, a live tail, the lag of its
projections and followers) and its notification log over HTTP at /notifications (the Python
library's JSON, for followers elsewhere), read-only, until SIGINT or SIGTERM.

Options:
  --app <Name>            The application's name: its environment scope (NAME_SQLITE_DBNAME,
                          NAME_CIPHER_KEY, ...) and, on PostgreSQL, its tables' prefix.
  --port <N>              The port (default 8000; 0 picks a free one).
  --host <H>              The interface to listen on (default 127.0.0.1; 0.0.0.0 for every
                          one: the browser has no login of its own, so put it behind one).
  --env-file <path>       Reads KEY=VALUE lines into the environment; a variable already set
                          in the process's environment wins over the file.
  --import <module>       Imports a module of yours first (repeatable), so that its classes'
                          topics resolve and events are decoded as the application decodes them.
  -h, --help              Shows this help.

The database is configured as for the application: PERSISTENCE_MODULE=sqlite with
SQLITE_DBNAME, or postgres with POSTGRES_*, and CIPHER_KEY, COMPRESSOR_TOPIC, each scoped by
NAME_.

Exit status: 0 stopped by a signal, 1 the storage could not be read or the port is taken,
2 bad arguments.`;

const SERVE_OPTIONS = {
  app: INSPECTION_OPTIONS.app,
  'env-file': INSPECTION_OPTIONS['env-file'],
  import: INSPECTION_OPTIONS.import,
  help: INSPECTION_OPTIONS.help,
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

/** The arguments of `eventsourcing serve`. @internal */
export interface ServeArguments {
  /** The application's name, the environment file and the modules to import. */
  readonly inspection: InspectionValues;
  /** The port to listen on. */
  readonly port: number;
  /** The interface to listen on. */
  readonly host: string;
  /** Whether help was asked for. */
  readonly help: boolean;
}

/**
 * Parses the arguments after `serve`.
 *
 * @throws UsageError for an unknown option, a missing `--app`, a bad port.
 * @internal
 */
export function parseServeArguments(args: readonly string[]): ServeArguments {
  const { values } = parseCommandArgs('serve', args, SERVE_OPTIONS);
  const help = values.help === true;
  if (!help && values.app === undefined) {
    throw new UsageError(
      "serve needs --app <Name>: the application's name (its environment scope and table prefix).",
    );
  }
  const port = integerOption('port', values.port, 0) ?? 8000;
  if (port > 65535) {
    throw new UsageError(`--port needs a port number from 0 to 65535, got '${values.port}'.`);
  }
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host needs an interface, such as 127.0.0.1.');
  return {
    inspection: { app: values.app, 'env-file': values['env-file'], import: values.import },
    port,
    host,
    help,
  };
}

/**
 * Runs `eventsourcing serve`: the event browser at `/` and the notification log at
 * `/notifications` until SIGINT or SIGTERM (or `signal`), then stops cleanly (open tails
 * ended, the server and the database closed) and resolves to the exit status (0 stopped,
 * 1 failed). Bad arguments throw `UsageError`.
 *
 * @internal
 */
export async function serveCommand(
  args: readonly string[],
  output: CommandOutput,
  signal?: AbortSignal,
): Promise<number> {
  const parsed = parseServeArguments(args);
  if (parsed.help) {
    output.out(`${SERVE_USAGE}\n`);
    return 0;
  }
  const env = await prepareInspection(parsed.inspection);
  const appName = parsed.inspection.app ?? '';
  const stop = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    output.out(`eventsourcing serve: ${name} received, stopping\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let inspector: StoreInspector | null = null;
  let server: Server | null = null;
  try {
    inspector = StoreInspector.open(appName, env);
    requireSharedStorage(inspector);
    // Fails now, with a message saying what to fix, when the storage cannot be read.
    await inspector.notifications({ limit: 1 });
    const log = new NotificationLogJSONService({
      recorder: inspector.recorder,
      notificationLog: new LocalNotificationLog(inspector.recorder),
    });
    const notifications = createNotificationLogHandler(log, {
      basePath: '/notifications',
      signal: stop.signal,
      onError: (error) => output.err(`eventsourcing serve: ${describe(error)}\n`),
    });
    const browser = createEventBrowserHandler({
      inspector,
      signal: stop.signal,
      notificationLogPath: '/notifications',
      onError: (error) => output.err(`eventsourcing serve: ${describe(error)}\n`),
    });
    server = createServer(
      toNodeListener((request) => {
        const path = new URL(request.url).pathname;
        return path === '/notifications' || path.startsWith('/notifications/')
          ? notifications(request)
          : browser(request);
      }),
    );
    await listen(server, parsed.port, parsed.host);
    const { port } = server.address() as AddressInfo;
    const host = parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host;
    output.out(
      `eventsourcing serve: serving ${appName} (${inspector.backend}) at http://${host}:${port}/ ` +
        `(the notification log at http://${host}:${port}/notifications) (pid ${process.pid})\n`,
    );
    if (!stop.signal.aborted) {
      await new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
    await closeServer(server);
    await inspector.close();
    output.out('eventsourcing serve: stopped\n');
    return 0;
  } catch (error) {
    stop.abort();
    await closeServer(server);
    await inspector?.close().catch(() => {});
    if (error instanceof UsageError) throw error;
    output.err(`eventsourcing serve: ${describe(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    signal?.removeEventListener('abort', onAbort);
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is in use: choose another with --port.`)
          : error,
      );
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

async function closeServer(server: Server | null): Promise<void> {
  if (server === null || !server.listening) return;
  await new Promise<void>((resolve) => {
    // Tails end on the aborted signal, and idle keep-alive connections are closed; a request
    // still being answered after a grace period is cut off.
    const force = setTimeout(() => server.closeAllConnections(), 3000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
