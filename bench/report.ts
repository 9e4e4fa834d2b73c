/** The benchmark's JSON document, and the issue's targets evaluated against it. */
import { type DcbFigures, dcbTargets, formatDcbTable } from './dcb-report.js';
import { formatHttpTable, type HttpFigures, httpTargets } from './http-report.js';
import type { MemoryFigures } from './memory-growth.js';
import {
  formatProjectionsTable,
  type ProjectionFigures,
  projectionTargets,
} from './projection-report.js';
import type { SnapshotFigures } from './snapshot-timing.js';
import {
  formatSystemsTable,
  type PythonSystemFigures,
  type SystemFigures,
  type SystemPart,
  systemTargets,
} from './system-report.js';
import type { LibraryW1Figures, RawW1Figures } from './w1-figures.js';

/** One W1 run: a backend at one number of commands in flight, library and bare driver. */
export interface ResultEntry extends LibraryW1Figures {
  backend: string;
  inFlight: number;
  /** The bare driver's figures from the same run (null for memory, which has no driver). */
  raw: RawW1Figures | null;
}

/** A target of issue 4, evaluated. */
export interface TargetResult {
  id: number;
  target: string;
  /** What was measured, in words (e.g. "0.82× raw"). */
  measured: string;
  /** `null` when the run did not measure it. */
  met: boolean | null;
}

/** The whole `--json` document. */
export interface BenchReport {
  machine: Record<string, unknown>;
  workload: Record<string, unknown>;
  results: ResultEntry[];
  snapshots: SnapshotFigures[];
  memory: MemoryFigures | null;
  /** Catch-up and live latency of a counting view and an event-sourced projection per backend. */
  projections: ProjectionFigures[];
  /** A leader and a process application under each runner (issue 13). */
  system?: SystemFigures[];
  /** W1's memory command rate at 1 in flight measured beside the systems (target 13). */
  system_w1_memory_command_per_s?: number | null;
  /** Why systems rows are missing. */
  system_notes?: string[];
  /** The Python library's runners on the systems workload (`--python`). */
  python_system?: PythonSystemFigures[];
  /** W1's log read and decoded over HTTP and locally, per backend (issue 14). */
  http?: HttpFigures[];
  /** The DCB course subscriptions, library and bare driver, per backend and in flight (issue 15). */
  dcb?: DcbFigures[];
  skipped: { backend: string; reason: string }[];
  targets: TargetResult[];
}

const ratio = (a: number, b: number): number => a / b;
const x = (value: number): string => `${value.toFixed(2)}×`;

function find(results: readonly ResultEntry[], backend: string, inFlight: number) {
  return results.find((r) => r.backend === backend && r.inFlight === inFlight);
}

/**
 * Evaluates the targets of issues 4 (1–7), 12 (8–10, projections), 13 (11–13, systems), 14
 * (14, the log over HTTP) and 15 (15, the DCB recorders) that this run measured.
 */
export function evaluateTargets(
  results: readonly ResultEntry[],
  snapshots: readonly SnapshotFigures[],
  memory: MemoryFigures | null,
  projections: readonly ProjectionFigures[] = [],
  system: SystemPart | null = null,
  http: readonly HttpFigures[] = [],
  dcb: readonly DcbFigures[] = [],
): TargetResult[] {
  const targets: TargetResult[] = [];
  const add = (id: number, target: string, measured: string | null, met: boolean | null) =>
    targets.push({ id, target, measured: measured ?? 'not measured', met });

  const pg1 = find(results, 'postgres', 1);
  const pg64 = find(results, 'postgres', 64);
  const r1 = pg1?.raw ? ratio(pg1.command_per_s, pg1.raw.command_per_s) : null;
  add(
    1,
    'PostgreSQL, 1 in flight: command rate ≥ 0.7× bare pg',
    r1 === null ? null : x(r1),
    r1 === null ? null : r1 >= 0.7,
  );
  if (pg64?.raw) {
    const vsRaw = ratio(pg64.command_per_s, pg64.raw.command_per_s);
    const vsOwn = pg1 ? ratio(pg64.command_per_s, pg1.command_per_s) : null;
    add(
      2,
      'PostgreSQL, 64 in flight: command rate ≥ 1.5× bare pg at 64, and ≥ 3× own rate at 1',
      `${x(vsRaw)} bare pg; ${vsOwn === null ? 'own rate at 1 not measured' : `${x(vsOwn)} own rate at 1`}`,
      vsOwn === null ? null : vsRaw >= 1.5 && vsOwn >= 3,
    );
  } else add(2, 'PostgreSQL, 64 in flight: ≥ 1.5× bare pg, ≥ 3× own rate at 1', null, null);
  const sq1 = find(results, 'sqlite', 1);
  const r3 = sq1?.raw ? ratio(sq1.command_per_s, sq1.raw.command_per_s) : null;
  add(
    3,
    'SQLite, 1 in flight: command rate ≥ 0.7× bare better-sqlite3',
    r3 === null ? null : x(r3),
    r3 === null ? null : r3 >= 0.7,
  );
  const mem1 = find(results, 'memory', 1);
  add(
    4,
    'Memory: ≥ 100,000 W1 commands/s (1 in flight)',
    mem1 ? `${Math.round(mem1.command_per_s).toLocaleString('en-US')}/s` : null,
    mem1 ? mem1.command_per_s >= 100_000 : null,
  );
  const r5 = pg1?.raw ? ratio(pg1.notifications_per_s, pg1.raw.read_per_s) : null;
  const parts: string[] = [];
  let met5: boolean | null = null;
  if (r5 !== null) parts.push(`PostgreSQL ${x(r5)} bare pg rows/s`);
  if (mem1) parts.push(`memory ${Math.round(mem1.notifications_per_s).toLocaleString('en-US')}/s`);
  if (r5 !== null && mem1) met5 = r5 >= 0.7 && mem1.notifications_per_s >= 300_000;
  add(
    5,
    'Notification log read + decode: ≥ 0.7× bare pg rows/s; ≥ 300,000 events/s in memory',
    parts.length > 0 ? parts.join('; ') : null,
    met5,
  );
  if (snapshots.length > 0) {
    const speedups = snapshots.map((s) => ({ s, f: s.get_without_ms / s.get_with_ms }));
    add(
      6,
      'repository.get of a 1,000-event aggregate: ≥ 20× faster with a snapshot',
      speedups.map(({ s, f }) => `${s.backend} ${x(f)} (${snapshotDetail(s)})`).join('; '),
      speedups.every(({ s, f }) => f >= 20 && s.events >= 1000),
    );
  } else add(6, 'repository.get with a snapshot ≥ 20× faster', null, null);
  if (memory) {
    add(
      7,
      'Iterating 1,000,000 notifications grows RSS by < 100 MB',
      `${memory.rss_growth_mb.toFixed(1)} MB over ${memory.notifications.toLocaleString('en-US')}`,
      memory.notifications >= 1_000_000 ? memory.rss_growth_mb < 100 : null,
    );
  } else add(7, 'Iterating 1,000,000 notifications grows RSS by < 100 MB', null, null);
  targets.push(...projectionTargets(projections));
  // Target 13 is against W1's memory command rate of this run: W1's own when it ran.
  const w1Memory = mem1?.command_per_s ?? system?.w1_memory_command_per_s ?? null;
  targets.push(...systemTargets(system?.entries ?? [], w1Memory));
  targets.push(...httpTargets(http));
  targets.push(...dcbTargets(dcb));
  return targets;
}

/**
 * The events of a snapshot timing, and with a bare driver the most a snapshot could gain there:
 * the get without a snapshot over the bare driver's read of the snapshot row alone.
 */
function snapshotDetail(s: SnapshotFigures): string {
  const events = `${s.events} events`;
  if (s.raw_read_ms === null) return events;
  return `${events}; the bare driver's read of the snapshot row alone allows ${x(s.get_without_ms / s.raw_read_ms)}`;
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const cell = (lib: number, raw: number | undefined): string =>
  raw === undefined ? n(lib) : `${n(lib)} / ${n(raw)} (${x(lib / raw)})`;

/** The report as the human-readable table (Markdown, so it can be pasted into the docs). */
export function formatTable(report: BenchReport): string {
  const lines: string[] = [];
  if (report.results.length > 0) {
    lines.push('W1, per second: library / bare driver (ratio)');
    lines.push('');
    lines.push(
      '| backend | in flight | register | command | get | read log (lib decodes; raw rows) |',
    );
    lines.push('| --- | --: | --: | --: | --: | --: |');
    for (const r of report.results) {
      lines.push(
        `| ${r.backend} | ${r.inFlight} | ${cell(r.register_per_s, r.raw?.register_per_s)} | ` +
          `${cell(r.command_per_s, r.raw?.command_per_s)} | ${cell(r.get_per_s, r.raw?.get_per_s)} | ` +
          `${cell(r.notifications_per_s, r.raw?.read_per_s)} |`,
      );
    }
  }
  if (report.snapshots.length > 0) {
    lines.push('');
    lines.push(
      '| repository.get | events | without snapshot | with snapshot | speed-up | ' +
        'bare driver: snapshot row | most possible |',
    );
    lines.push('| --- | --: | --: | --: | --: | --: | --: |');
    for (const s of report.snapshots) {
      const raw = s.raw_read_ms;
      lines.push(
        `| ${s.backend} | ${s.events} | ${s.get_without_ms.toFixed(3)} ms | ` +
          `${s.get_with_ms.toFixed(3)} ms | ${x(s.get_without_ms / s.get_with_ms)} | ` +
          `${raw === null ? '–' : `${raw.toFixed(3)} ms`} | ` +
          `${raw === null ? '–' : x(s.get_without_ms / raw)} |`,
      );
    }
  }
  if (report.memory) {
    const m = report.memory;
    lines.push('');
    lines.push(
      `Memory: iterating ${n(m.notifications)} notifications (subscribe + decode, ` +
        `${n(m.iterate_per_s)}/s) grew RSS by ${m.rss_growth_mb.toFixed(1)} MB ` +
        `(baseline ${m.baseline_rss_mb.toFixed(0)} MB after GC, peak ${m.peak_rss_mb.toFixed(0)} MB).`,
    );
  }
  const projections = report.projections ?? [];
  if (projections.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(...formatProjectionsTable(projections));
  }
  const system = report.system ?? [];
  const python = report.python_system ?? [];
  if (system.length > 0 || python.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(
      ...formatSystemsTable(
        {
          entries: system,
          w1_memory_command_per_s: report.system_w1_memory_command_per_s ?? null,
          notes: report.system_notes ?? [],
        },
        python,
      ),
    );
  }
  const http = report.http ?? [];
  if (http.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(...formatHttpTable(http));
  }
  const dcb = report.dcb ?? [];
  if (dcb.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(...formatDcbTable(dcb));
  }
  lines.push('');
  lines.push('| target | measured | met |');
  lines.push('| --- | --- | --- |');
  for (const t of report.targets) {
    const met = t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met';
    lines.push(`| ${t.id}. ${t.target} | ${t.measured} | ${met} |`);
  }
  for (const s of report.skipped) lines.push(`\nSkipped ${s.backend}: ${s.reason}`);
  return lines.join('\n');
}
