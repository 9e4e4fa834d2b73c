import type { InspectedEvent } from '../interface/inspected-event.js';
import { inspectedEventJson } from '../interface/inspected-event-json.js';
import { eventCells } from './event-row.js';
import { formatTable } from './format-table.js';
import {
  INSPECTION_OPTIONS,
  INSPECTION_OPTIONS_USAGE,
  openInspector,
  requireSharedStorage,
} from './inspection-options.js';
import { integerOption, listOption, parseCommandArgs } from './parse-command-args.js';
import type { CommandOutput } from './run-command.js';

/** Usage of `eventsourcing log`. @internal */
export const LOG_USAGE = `Usage: eventsourcing log [--start <N>] [--limit <N>] [--topics <a>,<b>] [--raw] [--app <Name>] [--json]

Shows the application's notification log (every event it recorded, in the order recorded):
id, originator id, version, topic, timestamp and fields, decoded as by 'eventsourcing events'.

Options:
  --start <N>             From notification id N (default 1).
  --limit <N>             At most N notifications (default 100).
  --topics <a>,<b>        Only notifications with these topics (repeatable).
  --raw                   The stored state as base64 instead of decoded fields.
${INSPECTION_OPTIONS_USAGE}

Exit status: 0 shown, 1 the database could not be read, 2 bad arguments.`;

/**
 * Runs `eventsourcing log` and resolves to the exit status.
 *
 * @throws UsageError for bad arguments.
 * @internal
 */
export async function logCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  const { values } = parseCommandArgs('log', args, {
    ...INSPECTION_OPTIONS,
    start: { type: 'string' },
    limit: { type: 'string' },
    topics: { type: 'string', multiple: true },
    raw: { type: 'boolean' },
  });
  if (values.help === true) {
    output.out(`${LOG_USAGE}\n`);
    return 0;
  }
  const start = integerOption('start', values.start, 1) ?? 1;
  const limit = integerOption('limit', values.limit, 1) ?? 100;
  const topics = listOption(values.topics);
  const raw = values.raw === true;
  await using inspector = await openInspector(values);
  requireSharedStorage(inspector);
  const events = await inspector.notifications({ start, limit, topics });
  if (values.json === true) {
    for (const event of events)
      output.out(`${JSON.stringify(inspectedEventJson(event, { raw }))}\n`);
    return 0;
  }
  if (events.length === 0) {
    output.err(
      `eventsourcing log: no notifications from id ${start}${topics.length > 0 ? ' with those topics' : ''}.\n`,
    );
    return 0;
  }
  output.out(formatNotifications(events, raw));
  if (events.length === limit) {
    output.err(
      `eventsourcing log: showing ${limit}; more may follow: --start ${events[events.length - 1]!.id! + 1}\n`,
    );
  }
  return 0;
}

/**
 * Notifications as the table `log` and `tail` print.
 *
 * @internal
 */
export function formatNotifications(events: readonly InspectedEvent[], raw: boolean): string {
  const rows = events.map((event) => {
    const cells = eventCells(event, raw);
    const start = [
      String(event.id ?? '-'),
      event.originatorId,
      String(event.originatorVersion),
      event.topic,
    ];
    return raw ? [...start, cells.fields] : [...start, cells.timestamp, cells.fields];
  });
  const headers = ['ID', 'ORIGINATOR ID', 'VERSION', 'TOPIC'];
  return formatTable(
    raw ? [...headers, 'STATE (BASE64)'] : [...headers, 'TIMESTAMP', 'FIELDS'],
    rows,
    [true, false, true],
  );
}
