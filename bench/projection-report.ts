/**
 * The projections entries of the benchmark's JSON document, the targets of issue 12 evaluated
 * on them (ratios within one run), and their table.
 */
import type { TargetResult } from './report.js';

/** The two kinds of projection measured. */
export type ProjectionKind = 'view' | 'event-sourced';

/** One projections entry of the JSON document. */
export interface ProjectionFigures {
  backend: string;
  kind: ProjectionKind;
  /** Upstream events caught up over. */
  events: number;
  /** Events per second from the runner's construction to `wait(last id)` resolving. */
  catchup_per_s: number;
  /** The library's own read and decode of the same events (pages of 500), per second. */
  log_read_per_s: number;
  /** Live latency, `save` start to `runner.wait(id)` resolved, one event at a time: median. */
  latency_p50_ms: number;
  /** The same, 99th percentile. */
  latency_p99_ms: number;
  /** PostgreSQL view only: the bare pg pipeline's median latency in the same run; else null. */
  raw_latency_p50_ms: number | null;
}

/** The least catch-up rate, as a multiple of the log read, of each kind on each backend. */
export function catchUpTarget(kind: ProjectionKind, backend: string): number {
  if (kind === 'view') return backend === 'memory' ? 0.4 : 0.5;
  return backend === 'memory' ? 0.1 : 0.15;
}

/** The most PostgreSQL's live latency p50 may be, as a multiple of the bare pipeline's. */
export const LATENCY_TARGET = 1.5;

const x = (value: number): string => `${value.toFixed(2)}×`;

/** Targets 8–10 (issue 12), evaluated on the entries this run measured. */
export function projectionTargets(projections: readonly ProjectionFigures[]): TargetResult[] {
  const catchUp = (id: number, kind: ProjectionKind, target: string): TargetResult => {
    const entries = projections.filter((p) => p.kind === kind);
    if (entries.length === 0) return { id, target, measured: 'not measured', met: null };
    const ratios = entries.map((p) => ({ p, r: p.catchup_per_s / p.log_read_per_s }));
    return {
      id,
      target,
      measured: ratios.map(({ p, r }) => `${p.backend} ${x(r)}`).join('; '),
      met: ratios.every(({ p, r }) => r >= catchUpTarget(kind, p.backend)),
    };
  };
  const latencyTarget = `PostgreSQL live latency p50 ≤ ${LATENCY_TARGET}× the bare pg pipeline's`;
  const pg = projections.find((p) => p.backend === 'postgres' && p.raw_latency_p50_ms !== null);
  const latency: TargetResult =
    pg === undefined || pg.raw_latency_p50_ms === null
      ? { id: 10, target: latencyTarget, measured: 'not measured', met: null }
      : {
          id: 10,
          target: latencyTarget,
          measured:
            `${pg.latency_p50_ms.toFixed(2)} ms / ${pg.raw_latency_p50_ms.toFixed(2)} ms ` +
            `(${x(pg.latency_p50_ms / pg.raw_latency_p50_ms)})`,
          met: pg.latency_p50_ms <= LATENCY_TARGET * pg.raw_latency_p50_ms,
        };
  return [
    catchUp(
      8,
      'view',
      'Counting view catch-up ≥ 0.5× log read + decode (SQLite, PostgreSQL), ≥ 0.4× (memory)',
    ),
    catchUp(
      9,
      'event-sourced',
      'Event-sourced projection catch-up ≥ 0.15× log read + decode (SQLite, PostgreSQL), ≥ 0.1× (memory)',
    ),
    latency,
  ];
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => `${value.toFixed(2)} ms`;

/** The projections table (Markdown lines): rates, ratios against their targets, latencies. */
export function formatProjectionsTable(projections: readonly ProjectionFigures[]): string[] {
  const lines = [
    'Projections: catch-up over the upstream events and the library’s log read + decode of the same ' +
      'events, per second; live latency from save to wait resolving',
    '',
    '| backend | kind | events | catch-up | log read | catch-up ÷ log read (target) | ' +
      'latency p50 | p99 | bare pg p50 | p50 ÷ bare (target) |',
    '| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const p of projections) {
    const ratio = p.catchup_per_s / p.log_read_per_s;
    const raw = p.raw_latency_p50_ms;
    lines.push(
      `| ${p.backend} | ${p.kind} | ${n(p.events)} | ${n(p.catchup_per_s)} | ` +
        `${n(p.log_read_per_s)} | ${x(ratio)} (≥ ${x(catchUpTarget(p.kind, p.backend))}) | ` +
        `${ms(p.latency_p50_ms)} | ${ms(p.latency_p99_ms)} | ${raw === null ? '–' : ms(raw)} | ` +
        `${raw === null ? '–' : `${x(p.latency_p50_ms / raw)} (≤ ${x(LATENCY_TARGET)})`} |`,
    );
  }
  return lines;
}
