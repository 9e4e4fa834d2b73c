import { createInterface } from 'node:readline/promises';
import { applicationName } from '../application/application-name.js';
import { StoreInspector } from '../interface/store-inspector.js';
import { ProjectionRunner } from '../projection/projection-runner.js';
import type { EnvType } from '../utils/environment.js';
import { prepareInspection, requireSharedStorage } from './inspection-options.js';
import { parseModuleReference } from './module-reference.js';
import { parseCommandArgs } from './parse-command-args.js';
import { ProgressBar } from './progress-bar.js';
import { importProjectionDefinition, type ProjectionDefinition } from './projection-definition.js';
import type { CommandOutput } from './run-command.js';

/** Usage of `eventsourcing rebuild`. @internal */
export const REBUILD_USAGE = `Usage: eventsourcing rebuild <module>#<export> [--yes] [--dry-run]

Rebuilds a projection's view from scratch: empties the view and forgets its position in the
application's log, in one transaction (the view's clear() hook), then processes all of the
application's events again (ProjectionRunner.rebuild), showing progress on stderr when it is
a terminal. Stop the projection's own runner first, or expect it to wait while this one works.
Asks for confirmation (y/N) unless --yes is given; without a terminal (stdin and stderr),
--yes is required.

<module>#<export> names the module that exports the projection's definition, the classes a
ProjectionRunner is made of: export const counters = { applicationClass, projectionClass,
viewClass } (a path relative to the current directory, a file: URL or a package; Python's
<module>:<export> is accepted too).

Options:
  -y, --yes               Rebuilds without asking.
  --dry-run               Says what it would do and changes nothing.
  --env-file <path>       Reads KEY=VALUE lines into the environment; a variable already set
                          in the process's environment wins over the file.
  --import <module>       Imports a module of yours first (repeatable).
  -h, --help              Shows this help.

The environment is the application's and the view's (its keys scoped by the projection's
name: COUNTERS_SQLITE_DBNAME puts the view of Counters in its own file).

Exit status: 0 rebuilt (or a dry run), 1 not confirmed, interrupted or failed (a failed
rebuild leaves the view as a rebuild stopped part way: run it again), 2 bad arguments.`;

/** How `rebuild` talks to the terminal. @internal */
export interface RebuildTerminal {
  /** Whether a person can see the question and answer it (stdin and stderr are terminals). */
  readonly interactive: boolean;
  /** Whether stderr is a terminal (progress is drawn). */
  readonly progress: boolean;
  /** Asks a question on stderr and resolves to the line typed ('' for Ctrl-C or Ctrl-D). */
  ask(question: string): Promise<string>;
}

/** The process's terminal. */
function processTerminal(): RebuildTerminal {
  return {
    // The question goes to stderr: asked on a stderr redirected to a file, it would wait for
    // an answer to a question nobody sees.
    interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
    progress: process.stderr.isTTY === true,
    async ask(question) {
      const lines = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await lines.question(question);
      } catch {
        // Ctrl-C or Ctrl-D at the question: no answer, and the line ends here.
        process.stderr.write('\n');
        return '';
      } finally {
        lines.close();
      }
    },
  };
}

/**
 * Runs `eventsourcing rebuild` and resolves to the exit status.
 *
 * @throws UsageError for bad arguments.
 * @internal
 */
export async function rebuildCommand(
  args: readonly string[],
  output: CommandOutput,
  terminal: RebuildTerminal = processTerminal(),
): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'rebuild',
    args,
    {
      yes: { type: 'boolean', short: 'y' },
      'dry-run': { type: 'boolean' },
      'env-file': { type: 'string' },
      import: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    { names: ['module>#<export'], required: 1 },
  );
  if (values.help === true) {
    output.out(`${REBUILD_USAGE}\n`);
    return 0;
  }
  const reference = parseModuleReference(positionals[0]!, 'rebuild');
  const env = await prepareInspection(values);
  const definition = await importProjectionDefinition(reference);
  const plan = await planRebuild(definition, env);
  output.out(plan.description);
  if (values['dry-run'] === true) {
    output.out('Dry run: nothing was changed.\n');
    return 0;
  }
  if (values.yes !== true) {
    if (!terminal.interactive) {
      output.err(
        'eventsourcing rebuild: not rebuilt: confirmation is needed, and there is no terminal ' +
          'to ask on; pass --yes to rebuild.\n',
      );
      return 1;
    }
    const answer = await terminal.ask(`Rebuild ${plan.projectionName}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      output.err('eventsourcing rebuild: not rebuilt.\n');
      return 1;
    }
  }
  return runRebuild(definition, env, plan, output, terminal);
}

/** What a rebuild will do, read without changing anything. */
interface RebuildPlan {
  readonly projectionName: string;
  readonly applicationName: string;
  readonly head: number | null;
  readonly description: string;
}

async function planRebuild(definition: ProjectionDefinition, env: EnvType): Promise<RebuildPlan> {
  const appName = applicationName(definition.applicationClass, undefined);
  const projectionName = definition.projectionClass.name;
  await using app = StoreInspector.open(appName, env);
  await using view = StoreInspector.open(projectionName, env);
  // In memory, this process would rebuild an empty view (of an empty log) and call it done.
  requireSharedStorage(app);
  if (view.backend === 'memory') {
    throw new Error(
      `The view of ${projectionName} is configured with the memory backend, which would be ` +
        'rebuilt in this process only and then thrown away: set ' +
        `${projectionName.toUpperCase()}_PERSISTENCE_MODULE (or PERSISTENCE_MODULE) to sqlite ` +
        'or postgres, as the running projection has it.',
    );
  }
  const head = await app.head();
  let where: string;
  let position: number | null = null;
  try {
    const info = await view.info();
    where = info.location;
    position = info.tracking.find((t) => t.applicationName === appName)?.notificationId ?? null;
  } catch (error) {
    where = `a database not made yet (${error instanceof Error ? error.message : String(error)})`;
  }
  const description =
    `Rebuild ${projectionName} (view ${definition.viewClass.name} in ${where}):\n` +
    `  empties the view and forgets its position in ${appName} (${
      position === null ? 'none recorded' : `now ${position}`
    }),\n` +
    `  then processes ${appName}'s notifications again (${
      head === null ? 'none yet' : `ids up to ${head}`
    }).\n`;
  return { projectionName, applicationName: appName, head, description };
}

async function runRebuild(
  definition: ProjectionDefinition,
  env: EnvType,
  plan: RebuildPlan,
  output: CommandOutput,
  terminal: RebuildTerminal,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  const bar = terminal.progress
    ? new ProgressBar(`Rebuilding ${plan.projectionName}`, (text) => output.err(text))
    : null;
  const runner = new ProjectionRunner({
    applicationClass: definition.applicationClass,
    projectionClass: definition.projectionClass,
    viewClass: definition.viewClass,
    env,
  });
  const total = plan.head ?? 0;
  let rebuilding = true;
  const timer =
    bar === null
      ? null
      : setInterval(() => {
          if (!rebuilding) return;
          runner.view
            .maxTrackingId(plan.applicationName)
            .then((position) => rebuilding && bar.update(position ?? 0, total))
            .catch(() => {});
        }, 200);
  try {
    await runner.rebuild({ signal: stop.signal });
    rebuilding = false;
    // 100% is drawn once the runner has stopped, its last batch committed.
    await runner.stop();
    bar?.update(total, total);
    bar?.done();
    output.out(
      `Rebuilt ${plan.projectionName}: processed ${plan.applicationName}'s notifications up to ${
        plan.head ?? 'none'
      } in ${((Date.now() - started) / 1000).toFixed(1)}s.\n`,
    );
    return 0;
  } catch (error) {
    rebuilding = false;
    bar?.done();
    await runner.stop().catch(() => {});
    output.err(
      stop.signal.aborted
        ? `eventsourcing rebuild: interrupted: ${plan.projectionName} is partly rebuilt; run the rebuild again to finish it.\n`
        : `eventsourcing rebuild: failed: ${error instanceof Error ? error.message : String(error)}\n` +
            `${plan.projectionName} is partly rebuilt; fix the cause and run the rebuild again.\n`,
    );
    return 1;
  } finally {
    if (timer !== null) clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
