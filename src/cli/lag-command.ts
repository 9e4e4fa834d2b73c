import { toBrowserLag } from '../browser/browser-lag.js';
import type { LagReader } from '../interface/store-inspector.js';
import type { TrackingLag } from '../interface/tracking-lag.js';
import { formatTable } from './format-table.js';
import {
  INSPECTION_OPTIONS,
  INSPECTION_OPTIONS_USAGE,
  openInspector,
  requireSharedStorage,
} from './inspection-options.js';
import {
  integerOption,
  listOption,
  parseCommandArgs,
  secondsOption,
} from './parse-command-args.js';
import type { CommandOutput } from './run-command.js';
import { UsageError } from './usage-error.js';

/** Usage of `eventsourcing lag`. @internal */
export const LAG_USAGE = `Usage: eventsourcing lag [--max-events <N>] [--max-age <S>] [--projection <Name>] [--follower <Name>] [--app <Name>] [--json]

Shows each projection and follower that reads the application's log: its position (the last
notification id it processed), the log's head, the events behind (ids after the position: an
upper bound when ids have gaps), and the age of the oldest event it has not processed. With
limits, it is a health check: the exit status is 1 when any reader is over a limit, or when
none is found.

Readers are found in the application's own database (on PostgreSQL, every tracking table of
the schema: a projection's {name}_tracking, a follower's {follower}_tracking; on SQLite, the
file's tracking table). A reader whose tracking is in another database is named with
--projection or --follower: its database is the one its own environment scope names
(COUNTERS_SQLITE_DBNAME, COUNTERS_POSTGRES_SCHEMA, ...; unscoped keys otherwise).

Options:
  --max-events <N>        Fails when a reader is more than N events behind.
  --max-age <S>           Fails when a reader's oldest unprocessed event is older than S
                          seconds (or its age cannot be read).
  --projection <Name>     A projection to look for (its name: the scope of its view's
                          environment keys); repeatable, or Name1,Name2.
  --follower <Name>       A follower (a process application) to look for; repeatable.
${INSPECTION_OPTIONS_USAGE}

Exit status: 0 within the limits, 1 over a limit, no reader found with limits given, or the
database could not be read, 2 bad arguments.`;

/**
 * Runs `eventsourcing lag` and resolves to the exit status.
 *
 * @throws UsageError for bad arguments.
 * @internal
 */
export async function lagCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  const { values } = parseCommandArgs('lag', args, {
    ...INSPECTION_OPTIONS,
    'max-events': { type: 'string' },
    'max-age': { type: 'string' },
    projection: { type: 'string', multiple: true },
    follower: { type: 'string', multiple: true },
  });
  if (values.help === true) {
    output.out(`${LAG_USAGE}\n`);
    return 0;
  }
  const maxEvents = integerOption('max-events', values['max-events'], 0);
  const maxAge = secondsOption('max-age', values['max-age']);
  const readers: LagReader[] = [
    ...listOption(values.projection).map((name) => ({ name, kind: 'projection' as const })),
    ...listOption(values.follower).map((name) => ({ name, kind: 'follower' as const })),
  ];
  for (const reader of readers) {
    if (!/^[A-Za-z_]\w*$/.test(reader.name)) {
      throw new UsageError(
        `--${reader.kind} needs a name (letters, digits and _), got '${reader.name}'.`,
      );
    }
  }
  await using inspector = await openInspector(values);
  requireSharedStorage(inspector);
  const lags = await inspector.lag({ readers });
  const failures: string[] = [];
  for (const lag of lags) failures.push(...overLimits(lag, maxEvents, maxAge));
  if (values.json === true) {
    for (const lag of lags) {
      // The browser's JSON of a lag row (one conversion for both), its age rounded.
      output.out(
        `${JSON.stringify({
          ...toBrowserLag(lag),
          ageSeconds: lag.ageSeconds === null ? null : round(lag.ageSeconds),
          overLimit: overLimits(lag, maxEvents, maxAge).length > 0,
        })}\n`,
      );
    }
  } else if (lags.length > 0) {
    output.out(
      formatTable(
        ['NAME', 'KIND', 'POSITION', 'HEAD', 'BEHIND', 'AGE', 'OLDEST UNPROCESSED', 'WHERE'],
        lags.map((lag) => [
          lag.name,
          lag.kind,
          String(lag.position ?? '-'),
          String(lag.head ?? '-'),
          String(lag.eventsBehind),
          lag.ageSeconds === null ? '?' : `${round(lag.ageSeconds)}s`,
          toBrowserLag(lag).oldestUnprocessedAt ?? '-',
          lag.where,
        ]),
        [false, false, true, true, true, true],
      ),
    );
  }
  const limited = maxEvents !== undefined || maxAge !== undefined;
  if (lags.length === 0) {
    output.err(
      `eventsourcing lag: no projection or follower tracking ${inspector.appName || 'the application'} ` +
        'was found in its database: name those in other databases with --projection <Name> or ' +
        '--follower <Name>.\n',
    );
    return limited ? 1 : 0;
  }
  for (const failure of failures) output.err(`eventsourcing lag: ${failure}\n`);
  return failures.length > 0 ? 1 : 0;
}

/** What is over the limits for one reader, as sentences. */
function overLimits(
  lag: TrackingLag,
  maxEvents: number | undefined,
  maxAge: number | undefined,
): string[] {
  const failures: string[] = [];
  if (maxEvents !== undefined && lag.eventsBehind > maxEvents) {
    failures.push(
      `${lag.name} is ${lag.eventsBehind} event${lag.eventsBehind === 1 ? '' : 's'} behind (--max-events ${maxEvents}).`,
    );
  }
  if (maxAge !== undefined) {
    if (lag.ageSeconds === null) {
      failures.push(
        `${lag.name} is behind and the age of its oldest unprocessed event cannot be read ` +
          '(set CIPHER_KEY and COMPRESSOR_TOPIC as the application has them).',
      );
    } else if (lag.ageSeconds > maxAge) {
      failures.push(
        `${lag.name}'s oldest unprocessed event is ${round(lag.ageSeconds)}s old (--max-age ${maxAge}).`,
      );
    }
  }
  return failures;
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
