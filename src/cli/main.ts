#!/usr/bin/env node
// The package's bin, `eventsourcing`: `eventsourcing run --system <module>#<export>`.
// Exit status 2 for bad arguments, with a message saying what was wrong.
import { runCommand } from './run-command.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: eventsourcing <command> [options]

Commands:
  run --system <module>#<export> [--only <Follower>,...]
      Runs followers of an event-driven system in this process until SIGINT or SIGTERM.

Options:
  -h, --help  Shows this help (eventsourcing run --help: the command's).`;

const output = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
};

/** Runs the command line; resolves to the exit status. */
async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? output.err : output.out)(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === 'run') return await runCommand(rest, output);
    throw new UsageError(`Unknown command '${command}': the commands are: run.`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const help = command === 'run' ? 'eventsourcing run --help' : 'eventsourcing --help';
    output.err(`eventsourcing: ${error.message}\nSee '${help}'.\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
