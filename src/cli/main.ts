#!/usr/bin/env node
// The package's bin, `eventsourcing`: the commands that inspect and operate event-sourced
// applications (info, events, log, tail, lag, rebuild) and run systems (run). Exit status 2
// for bad arguments and unknown commands, 1 for failures, with a message saying what to do.
import { EVENTS_USAGE, eventsCommand } from './events-command.js';
import { INFO_USAGE, infoCommand } from './info-command.js';
import { LAG_USAGE, lagCommand } from './lag-command.js';
import { LOG_USAGE, logCommand } from './log-command.js';
import { REBUILD_USAGE, rebuildCommand } from './rebuild-command.js';
import { type CommandOutput, RUN_USAGE, runCommand } from './run-command.js';
import { SERVE_USAGE, serveCommand } from './serve-command.js';
import { TAIL_USAGE, tailCommand } from './tail-command.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: eventsourcing <command> [options]

Commands:
  info                    The application's backend, tables and row counts, last
                          notification id, and the tracking recorded in its database.
  events <originatorId>   An aggregate's events, decoded (--version N, --raw).
  log                     The notification log, decoded (--start N, --limit N, --topics a,b).
  tail                    The last notifications, and new ones as they come (--follow).
  lag                     How far each projection and follower is behind; with --max-events
                          or --max-age, a health check (exit status 1 over a limit).
  rebuild <module>#<export>
                          Rebuilds a projection's view from scratch (--yes, --dry-run).
  serve [--port N]        The web event browser and the notification log over HTTP.
  run --system <module>#<export> [--only <Follower>,...]
                          Runs followers of an event-driven system in this process until
                          SIGINT or SIGTERM.

Every command but run and rebuild takes --app <Name> (the application's name: its environment
scope and table prefix), --env-file <path>, --import <module> (your classes, so topics
resolve) and --json (one JSON object per line). The database is configured as for the
application: PERSISTENCE_MODULE, SQLITE_DBNAME or POSTGRES_*, CIPHER_KEY, COMPRESSOR_TOPIC,
each scoped by NAME_.

Options:
  -h, --help  Shows this help (eventsourcing <command> --help: the command's).`;

type Command = (args: readonly string[], output: CommandOutput) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; usage: string }>> = {
  info: { run: infoCommand, usage: INFO_USAGE },
  events: { run: eventsCommand, usage: EVENTS_USAGE },
  log: { run: logCommand, usage: LOG_USAGE },
  tail: { run: tailCommand, usage: TAIL_USAGE },
  lag: { run: lagCommand, usage: LAG_USAGE },
  rebuild: { run: rebuildCommand, usage: REBUILD_USAGE },
  run: { run: runCommand, usage: RUN_USAGE },
  serve: { run: serveCommand, usage: SERVE_USAGE },
};

const output: CommandOutput = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
};

/** Runs the command line; resolves to the exit status. */
async function main(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    (name === undefined ? output.err : output.out)(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (command === undefined) {
      throw new UsageError(
        `Unknown command '${name}': the commands are ${Object.keys(COMMANDS).join(', ')}.`,
      );
    }
    return await command.run(rest, output);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = command === undefined ? 'eventsourcing --help' : `eventsourcing ${name} --help`;
      output.err(`eventsourcing: ${error.message}\nSee '${help}'.\n`);
      return 2;
    }
    output.err(
      `eventsourcing ${name}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (process.env.EVENTSOURCING_DEBUG && error instanceof Error) output.err(`${error.stack}\n`);
    return 1;
  }
}

// Output piped into a command that exits early (`eventsourcing log | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
