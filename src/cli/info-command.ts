import type { StoreInfo } from '../interface/store-info.js';
import { formatTable } from './format-table.js';
import {
  INSPECTION_OPTIONS,
  INSPECTION_OPTIONS_USAGE,
  openInspector,
} from './inspection-options.js';
import { parseCommandArgs } from './parse-command-args.js';
import type { CommandOutput } from './run-command.js';

/** Usage of `eventsourcing info`. @internal */
export const INFO_USAGE = `Usage: eventsourcing info [--app <Name>] [--json]

Shows where an application's events are stored: the backend and database, the application's
tables with their row counts, the last notification id, and the tracking positions recorded
in its database (what it, or a view beside it, has processed of other applications).

Options:
${INSPECTION_OPTIONS_USAGE}

Exit status: 0 shown, 1 the database could not be read, 2 bad arguments.`;

/**
 * Runs `eventsourcing info` and resolves to the exit status.
 *
 * @throws UsageError for bad arguments.
 * @internal
 */
export async function infoCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  const { values } = parseCommandArgs('info', args, INSPECTION_OPTIONS);
  if (values.help === true) {
    output.out(`${INFO_USAGE}\n`);
    return 0;
  }
  await using inspector = await openInspector(values);
  const info = await inspector.info();
  if (values.json === true) output.out(`${JSON.stringify(info)}\n`);
  else output.out(formatInfo(info));
  return 0;
}

/** The info as the table `eventsourcing info` prints. */
function formatInfo(info: StoreInfo): string {
  const lines = [
    `application  ${info.application || '(unnamed)'}`,
    `backend      ${info.backend}`,
    `database     ${info.location}`,
    `events       ${
      info.eventsTable === null
        ? '-'
        : `${info.eventsTable}${info.eventsTableExists ? '' : ' (not found)'}`
    }`,
    `last id      ${info.maxNotificationId ?? '-'}`,
    '',
  ];
  let text = lines.join('\n');
  if (info.tables.length > 0) {
    text += `\n${formatTable(
      ['TABLE', 'ROWS'],
      info.tables.map((t) => [t.name, String(t.rows)]),
      [false, true],
    )}`;
  } else if (!info.processLocal) {
    text += '\nNo tables of the application were found.\n';
  }
  if (info.tracking.length > 0) {
    text += `\n${formatTable(
      ['TRACKING TABLE', 'UPSTREAM', 'POSITION'],
      info.tracking.map((t) => [t.table, t.applicationName, String(t.notificationId)]),
      [false, false, true],
    )}`;
  }
  return text;
}
