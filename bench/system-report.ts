/**
 * The systems entries of the benchmark's JSON document, the targets of issue 13 evaluated on
 * them (ratios within one run), and their tables.
 */
import type { TargetResult } from './report.js';

/** The runners measured. */
export type RunnerName = 'SingleThreadedRunner' | 'ConcurrentRunner' | 'MultiProcessRunner';

/** One systems entry: a runner on a backend at a number of commands in flight. */
export interface SystemFigures {
  runner: string;
  backend: string;
  inFlight: number;
  /** Timed leader commands (W1's get + addTrick + save), each making one leader event. */
  commands: number;
  /** Commands per second, from the first command to the last one's save resolving. */
  leader_command_per_s: number;
  /** Leader events per second, from the first command until the follower's tracking reaches the leader's last notification id. */
  processed_per_s: number;
  /** Per event, from the leader's commit to the follower's policy processing it: median. */
  lag_p50_ms: number;
  /** The same, 99th percentile. */
  lag_p99_ms: number;
}

/** The Python library's figures on the same workload (bench/python/system_bench.py). */
export interface PythonSystemFigures extends SystemFigures {
  /** The Python library's version (the fetched source's). */
  library: string;
}

/** What the systems part of a run measured. */
export interface SystemPart {
  entries: SystemFigures[];
  /** W1's command rate in memory at 1 in flight, measured beside the systems (null: not run). */
  w1_memory_command_per_s: number | null;
  /** Why rows are missing (a runner not available). */
  notes: string[];
}

/** The least processed ÷ leader rate of ConcurrentRunner and MultiProcessRunner. */
export function keepUpTarget(inFlight: number): number {
  return inFlight <= 1 ? 0.9 : 0.5;
}

/** The least processed rate of SingleThreadedRunner in memory, as a multiple of W1's. */
export const SINGLE_THREADED_TARGET = 0.4;

const x = (value: number): string => `${value.toFixed(2)}×`;

/**
 * Targets 11–13 (issue 13): 11 and 12, the follower keeps up with ConcurrentRunner and
 * MultiProcessRunner on SQLite and PostgreSQL at 1 and 64 in flight; 13, SingleThreadedRunner
 * in memory at 1 in flight against W1's memory command rate of the same run (`w1Memory`).
 */
export function systemTargets(
  entries: readonly SystemFigures[],
  w1Memory: number | null,
): TargetResult[] {
  const keepUp = (id: number, inFlight: number): TargetResult => {
    const least = keepUpTarget(inFlight);
    const target =
      `Systems, ${inFlight} in flight: processed ≥ ${least}× the leader's command rate ` +
      '(ConcurrentRunner, MultiProcessRunner; SQLite, PostgreSQL)';
    const rows = entries.filter(
      (e) =>
        e.inFlight === inFlight &&
        e.runner !== 'SingleThreadedRunner' &&
        (e.backend === 'sqlite' || e.backend === 'postgres'),
    );
    if (rows.length === 0) return { id, target, measured: 'not measured', met: null };
    const ratios = rows.map((e) => ({ e, r: e.processed_per_s / e.leader_command_per_s }));
    return {
      id,
      target,
      measured: ratios
        .map(({ e, r }) => `${shortRunner(e.runner)} ${e.backend} ${x(r)}`)
        .join('; '),
      met: ratios.every(({ r }) => r >= least),
    };
  };
  const single = entries.find(
    (e) => e.runner === 'SingleThreadedRunner' && e.backend === 'memory' && e.inFlight === 1,
  );
  const target13 =
    `SingleThreadedRunner in memory, 1 in flight: processed ≥ ${SINGLE_THREADED_TARGET}× ` +
    'the W1 memory command rate';
  const t13: TargetResult =
    single === undefined || w1Memory === null
      ? { id: 13, target: target13, measured: 'not measured', met: null }
      : {
          id: 13,
          target: target13,
          measured: `${n(single.processed_per_s)}/s ÷ ${n(w1Memory)}/s = ${x(single.processed_per_s / w1Memory)}`,
          met: single.processed_per_s >= SINGLE_THREADED_TARGET * w1Memory,
        };
  return [keepUp(11, 1), keepUp(12, 64), t13];
}

/** The runner's name without "Runner", for compact cells. */
function shortRunner(runner: string): string {
  return runner.replace(/Runner$/, '');
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => `${value.toFixed(2)} ms`;

/** The systems table (Markdown lines), with the Python library's rows when measured. */
export function formatSystemsTable(
  part: SystemPart,
  python: readonly PythonSystemFigures[] = [],
): string[] {
  const lines = [
    'Systems: a leader taking W1 commands, a process application making one event per leader ' +
      'event; per second; lag from the leader’s commit to the follower’s policy',
    '',
    '| runner | backend | in flight | commands | leader commands | processed | processed ÷ leader (target) | lag p50 | lag p99 |',
    '| --- | --- | --: | --: | --: | --: | --: | --: | --: |',
  ];
  const row = (e: SystemFigures, target: string): string =>
    `| ${e.runner} | ${e.backend} | ${e.inFlight} | ${n(e.commands)} | ${n(e.leader_command_per_s)} | ` +
    `${n(e.processed_per_s)} | ${x(e.processed_per_s / e.leader_command_per_s)}${target} | ` +
    `${ms(e.lag_p50_ms)} | ${ms(e.lag_p99_ms)} |`;
  for (const e of part.entries) {
    const targeted = e.runner !== 'SingleThreadedRunner' && e.backend !== 'memory';
    lines.push(row(e, targeted ? ` (≥ ${x(keepUpTarget(e.inFlight))})` : ''));
  }
  for (const e of python) lines.push(row({ ...e, runner: `Python ${e.runner}` }, ''));
  if (part.w1_memory_command_per_s !== null) {
    lines.push('');
    lines.push(
      `W1 in memory at 1 in flight, beside the systems: ${n(part.w1_memory_command_per_s)} commands/s.`,
    );
  }
  for (const note of part.notes) lines.push('', note);
  return lines;
}
