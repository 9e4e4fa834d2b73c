/**
 * The `dcb` entries of the benchmark's JSON document (issue 15), their targets evaluated on them
 * (ratios within one run), and their table.
 */
import type { TargetResult } from './report.js';

/** What the bare driver did on the same workload, per second. */
export interface RawDcbFigures {
  /** Committed conditional appends per second (each after its read and decision). */
  append_per_s: number;
  /** Boundary reads per second (the read phase). */
  read_per_s: number;
}

/** One `dcb` entry: the course-subscription workload on a backend at one number in flight. */
export interface DcbFigures {
  backend: string;
  inFlight: number;
  /** Subscription commands per run (each one read, one decision, one conditional append). */
  commands: number;
  /**
   * Committed appends per second over the command phase: each command reads its boundary,
   * decides, and appends one event under its condition.
   */
  append_per_s: number;
  /** Boundary reads per second (`recorder.read(query)` of every command's boundary). */
  read_per_s: number;
  /**
   * Diagnostic: appends per call of the append functions (PostgreSQL's combining of concurrent
   * appends); null where the recorder does not count its calls.
   */
  appends_per_call: number | null;
  /** The bare driver's figures from the same run (null for memory, which has no driver). */
  raw: RawDcbFigures | null;
}

/** The least library ÷ bare ratio at 1 in flight (PostgreSQL) and at every number (SQLite). */
export const DCB_RAW_TARGET = 0.7;
/** PostgreSQL at 64 in flight: the least library ÷ bare ratio. */
export const DCB_PG64_RAW_TARGET = 1.5;
/** PostgreSQL at 64 in flight: the least multiple of the library's own rate at 1. */
export const DCB_PG64_OWN_TARGET = 3;

const x = (value: number): string => `${value.toFixed(2)}×`;
const n = (value: number): string => Math.round(value).toLocaleString('en-US');

function find(entries: readonly DcbFigures[], backend: string, inFlight: number) {
  return entries.find((e) => e.backend === backend && e.inFlight === inFlight);
}

/**
 * Issue 15's targets: PostgreSQL at 1 in flight ≥ 0.7× bare pg; at 64 ≥ 1.5× bare pg and ≥ 3×
 * its own rate at 1; SQLite ≥ 0.7× bare better-sqlite3 (every number in flight measured). All
 * on committed appends per second.
 */
export function dcbTargets(entries: readonly DcbFigures[]): TargetResult[] {
  const targets: TargetResult[] = [];
  const pg1 = find(entries, 'postgres', 1);
  const pg64 = find(entries, 'postgres', 64);
  const t1 = 'DCB, PostgreSQL, 1 in flight: committed appends/s ≥ 0.7× bare pg';
  if (pg1?.raw) {
    const r = pg1.append_per_s / pg1.raw.append_per_s;
    targets.push({ id: 15, target: t1, measured: x(r), met: r >= DCB_RAW_TARGET });
  } else targets.push({ id: 15, target: t1, measured: 'not measured', met: null });
  const t2 =
    'DCB, PostgreSQL, 64 in flight: committed appends/s ≥ 1.5× bare pg, and ≥ 3× own rate at 1';
  if (pg64?.raw) {
    const vsRaw = pg64.append_per_s / pg64.raw.append_per_s;
    const vsOwn = pg1 ? pg64.append_per_s / pg1.append_per_s : null;
    targets.push({
      id: 16,
      target: t2,
      measured:
        `${x(vsRaw)} bare pg; ` +
        (vsOwn === null ? 'own rate at 1 not measured' : `${x(vsOwn)} own rate at 1`),
      met: vsOwn === null ? null : vsRaw >= DCB_PG64_RAW_TARGET && vsOwn >= DCB_PG64_OWN_TARGET,
    });
  } else targets.push({ id: 16, target: t2, measured: 'not measured', met: null });
  const t3 = 'DCB, SQLite: committed appends/s ≥ 0.7× bare better-sqlite3';
  const sqlite = entries.filter((e) => e.backend === 'sqlite' && e.raw !== null);
  if (sqlite.length > 0) {
    const ratios = sqlite.map((e) => ({ e, r: e.append_per_s / e.raw!.append_per_s }));
    targets.push({
      id: 17,
      target: t3,
      measured: ratios.map(({ e, r }) => `${x(r)} at ${e.inFlight}`).join('; '),
      met: ratios.every(({ r }) => r >= DCB_RAW_TARGET),
    });
  } else targets.push({ id: 17, target: t3, measured: 'not measured', met: null });
  return targets;
}

/** The target a row's append ratio is held to, in words ('' when none). */
function rowTarget(e: DcbFigures): string {
  if (e.backend === 'sqlite') return ` (≥ ${x(DCB_RAW_TARGET)})`;
  if (e.backend !== 'postgres') return '';
  if (e.inFlight === 1) return ` (≥ ${x(DCB_RAW_TARGET)})`;
  if (e.inFlight === 64) return ` (≥ ${x(DCB_PG64_RAW_TARGET)})`;
  return '';
}

/** The `dcb` table (Markdown lines). */
export function formatDcbTable(entries: readonly DcbFigures[]): string[] {
  const lines = [
    'Dynamic consistency boundaries: course subscriptions (read the boundary, decide, append ' +
      'one event under its condition), per second: library / bare driver (ratio)',
    '',
    '| backend | in flight | commands | committed appends | ÷ bare (target) | ÷ own at 1 | ' +
      'boundary reads | ÷ bare | appends per call |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const e of entries) {
    const own = find(entries, e.backend, 1);
    const raw = e.raw;
    const appendRatio =
      raw === null ? '–' : `${x(e.append_per_s / raw.append_per_s)}${rowTarget(e)}`;
    const ownTarget = e.backend === 'postgres' && e.inFlight === 64 ? ` (≥ ${x(3)})` : '';
    lines.push(
      `| ${e.backend} | ${e.inFlight} | ${n(e.commands)} | ` +
        `${n(e.append_per_s)}${raw === null ? '' : ` / ${n(raw.append_per_s)}`} | ${appendRatio} | ` +
        `${own && e.inFlight !== 1 ? `${x(e.append_per_s / own.append_per_s)}${ownTarget}` : '–'} | ` +
        `${n(e.read_per_s)}${raw === null ? '' : ` / ${n(raw.read_per_s)}`} | ` +
        `${raw === null ? '–' : x(e.read_per_s / raw.read_per_s)} | ` +
        `${e.appends_per_call === null ? '–' : e.appends_per_call.toFixed(2)} |`,
    );
  }
  return lines;
}
