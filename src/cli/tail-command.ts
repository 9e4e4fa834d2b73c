import type { InspectedEvent } from '../interface/inspected-event.js';
import { inspectedEventJson } from '../interface/inspected-event-json.js';
import type { StoreInspector } from '../interface/store-inspector.js';
import { eventCells } from './event-row.js';
import {
  INSPECTION_OPTIONS,
  INSPECTION_OPTIONS_USAGE,
  openInspector,
  requireSharedStorage,
} from './inspection-options.js';
import { integerOption, listOption, parseCommandArgs } from './parse-command-args.js';
import type { CommandOutput } from './run-command.js';

/** Usage of `eventsourcing tail`. @internal */
export const TAIL_USAGE = `Usage: eventsourcing tail [--gt <N>] [--limit <N>] [--follow] [--topics <a>,<b>] [--app <Name>] [--json]

Shows the last notifications of the application's log, one per line (id, timestamp, topic,
originator id and version, fields), and with --follow each new one as it is recorded, until it
is interrupted (Ctrl-C, SIGINT or SIGTERM: exit status 0). On PostgreSQL new notifications
are pushed (LISTEN/NOTIFY); on SQLite they are polled for.

Options:
  --gt <N>                The notifications after id N (default: the last --limit ones).
  --limit <N>             Without --gt, how many of the last notifications (default 10).
  --follow, -f            Keeps waiting for new notifications and shows each one.
  --topics <a>,<b>        Only notifications with these topics (repeatable).
  --raw                   The stored state as base64 instead of decoded fields.
${INSPECTION_OPTIONS_USAGE}

Exit status: 0 shown (or stopped by a signal), 1 the database could not be read, 2 bad
arguments.`;

/** Notifications read per query while catching up. */
const PAGE = 500;

/**
 * Runs `eventsourcing tail` and resolves to the exit status.
 *
 * @throws UsageError for bad arguments.
 * @internal
 */
export async function tailCommand(
  args: readonly string[],
  output: CommandOutput,
  signal?: AbortSignal,
): Promise<number> {
  const { values } = parseCommandArgs('tail', args, {
    ...INSPECTION_OPTIONS,
    gt: { type: 'string' },
    limit: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    topics: { type: 'string', multiple: true },
    raw: { type: 'boolean' },
  });
  if (values.help === true) {
    output.out(`${TAIL_USAGE}\n`);
    return 0;
  }
  const given = integerOption('gt', values.gt, 0);
  const limit = integerOption('limit', values.limit, 1) ?? 10;
  const topics = listOption(values.topics);
  const raw = values.raw === true;
  const print = (event: InspectedEvent): void => {
    output.out(
      values.json === true
        ? `${JSON.stringify(inspectedEventJson(event, { raw }))}\n`
        : `${formatTailLine(event, raw)}\n`,
    );
  };
  await using inspector = await openInspector(values);
  requireSharedStorage(inspector);
  const head = (await inspector.head()) ?? 0;
  const gt = given ?? (await startOfLast(inspector, head, limit, topics));
  if (values.follow !== true) {
    let position = gt;
    while (position < head) {
      const page = await inspector.notifications({ start: position + 1, limit: PAGE, topics });
      for (const event of page) if (event.id! <= head) print(event);
      if (page.length < PAGE) break;
      position = page[page.length - 1]!.id!;
    }
    return 0;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  try {
    for await (const event of inspector.tail({ gt, topics, signal: stop.signal })) print(event);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    signal?.removeEventListener('abort', onSignal);
  }
  return 0;
}

/**
 * The position after which the last `limit` notifications of `topics` (any topic when empty)
 * up to `head` begin: windows of ids before `head`, doubling, are read until they hold that
 * many, since ids of other topics (and PostgreSQL's gaps) make `head - limit` too few.
 */
async function startOfLast(
  inspector: StoreInspector,
  head: number,
  limit: number,
  topics: readonly string[],
): Promise<number> {
  const ids: number[] = [];
  let upTo = head;
  let window = limit;
  while (upTo > 0 && ids.length < limit) {
    const from = Math.max(0, upTo - window);
    const found: number[] = [];
    let position = from;
    while (position < upTo) {
      const page = await inspector.notifications({ start: position + 1, limit: PAGE, topics });
      for (const event of page) if (event.id! <= upTo) found.push(event.id!);
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined || last.id! >= upTo) break;
      position = last.id!;
    }
    ids.unshift(...found);
    upTo = from;
    window *= 2;
  }
  const first = ids.length <= limit ? ids[0] : ids[ids.length - limit];
  return first === undefined ? 0 : first - 1;
}

/**
 * One notification as a line of `tail`: id, timestamp, topic, originator id and version,
 * fields.
 *
 * @internal
 */
export function formatTailLine(event: InspectedEvent, raw: boolean): string {
  const cells = eventCells(event, raw);
  return [
    String(event.id ?? '-'),
    cells.timestamp,
    event.topic,
    `${event.originatorId} v${event.originatorVersion}`,
    cells.fields,
  ].join('  ');
}
