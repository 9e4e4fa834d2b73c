import { inspectedEventJson } from '../interface/inspected-event-json.js';
import { eventCells } from './event-row.js';
import { formatTable } from './format-table.js';
import {
  INSPECTION_OPTIONS,
  INSPECTION_OPTIONS_USAGE,
  openInspector,
  requireSharedStorage,
} from './inspection-options.js';
import { integerOption, parseCommandArgs } from './parse-command-args.js';
import type { CommandOutput } from './run-command.js';

/** Usage of `eventsourcing events`. @internal */
export const EVENTS_USAGE = `Usage: eventsourcing events <originatorId> [--version <N>] [--raw] [--app <Name>] [--json]

Shows an aggregate's events in version order: topic, version, timestamp and fields, decoded
by the application's transcoder (decrypted and decompressed with its CIPHER_KEY and
COMPRESSOR_TOPIC) even when the classes are not imported; with --import, as the application
decodes them (upcast, by its classes).

Options:
  --version <N>           Only the events up to version N (the aggregate as it was then).
  --raw                   The stored state as base64 instead of decoded fields.
${INSPECTION_OPTIONS_USAGE}

Exit status: 0 shown, 1 no such aggregate or the database could not be read, 2 bad arguments.`;

/**
 * Runs `eventsourcing events` and resolves to the exit status.
 *
 * @throws UsageError for bad arguments.
 * @internal
 */
export async function eventsCommand(
  args: readonly string[],
  output: CommandOutput,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'events',
    args,
    { ...INSPECTION_OPTIONS, version: { type: 'string' }, raw: { type: 'boolean' } },
    { names: ['originatorId'], required: 1 },
  );
  if (values.help === true) {
    output.out(`${EVENTS_USAGE}\n`);
    return 0;
  }
  const originatorId = positionals[0]!;
  const version = integerOption('version', values.version, 1);
  const raw = values.raw === true;
  await using inspector = await openInspector(values);
  requireSharedStorage(inspector);
  const events = await inspector.events(originatorId, { version: version ?? null });
  if (events.length === 0) {
    output.err(
      `eventsourcing events: no events of '${originatorId}'${
        version === undefined ? '' : ` up to version ${version}`
      } in the application${inspector.appName ? ` '${inspector.appName}'` : ''}'s events ` +
        '(check the id, and --app).\n',
    );
    return 1;
  }
  if (values.json === true) {
    for (const event of events)
      output.out(`${JSON.stringify(inspectedEventJson(event, { raw }))}\n`);
    return 0;
  }
  const rows = events.map((event) => {
    const cells = eventCells(event, raw);
    return raw
      ? [String(event.originatorVersion), event.topic, cells.fields]
      : [String(event.originatorVersion), event.topic, cells.timestamp, cells.fields];
  });
  const headers = raw
    ? ['VERSION', 'TOPIC', 'STATE (BASE64)']
    : ['VERSION', 'TOPIC', 'TIMESTAMP', 'FIELDS'];
  output.out(`originator id ${originatorId}\n\n${formatTable(headers, rows, [true])}`);
  return 0;
}
