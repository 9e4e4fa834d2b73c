/**
 * The `http` entries of the benchmark's JSON document (issue 14), target 14 evaluated on them
 * (a ratio within one run), and their table.
 */
import type { TargetResult } from './report.js';

/** One `http` entry: W1's log on a backend, read and decoded over HTTP and locally. */
export interface HttpFigures {
  backend: string;
  /** The notifications in the log (each pass reads and decodes them all). */
  notifications: number;
  /** A remote follower over HTTP on 127.0.0.1: notifications read and decoded per second (median pass). */
  notifications_per_s: number;
  /** The application's own log read and decode of the same log in the same run (median pass). */
  local_notifications_per_s: number;
}

/** The least remote ÷ local rate on SQLite and PostgreSQL. */
export const HTTP_TARGET = 0.3;

const x = (value: number): string => `${value.toFixed(2)}×`;
const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const targeted = (backend: string): boolean => backend === 'sqlite' || backend === 'postgres';

/** Target 14: over HTTP ≥ 0.3× the local read and decode, on SQLite and PostgreSQL. */
export function httpTargets(entries: readonly HttpFigures[]): TargetResult[] {
  const target =
    `Notification log over HTTP (127.0.0.1): remote read + decode ≥ ${HTTP_TARGET}× the local ` +
    'read + decode (SQLite, PostgreSQL)';
  const rows = entries.filter((e) => targeted(e.backend));
  if (rows.length === 0) return [{ id: 14, target, measured: 'not measured', met: null }];
  const ratios = rows.map((e) => ({ e, r: e.notifications_per_s / e.local_notifications_per_s }));
  return [
    {
      id: 14,
      target,
      measured: ratios.map(({ e, r }) => `${e.backend} ${x(r)}`).join('; '),
      met: ratios.every(({ r }) => r >= HTTP_TARGET),
    },
  ];
}

/** The `http` table (Markdown lines). */
export function formatHttpTable(entries: readonly HttpFigures[]): string[] {
  const lines = [
    'Notification log over HTTP: W1’s log read and decoded by a remote follower through the ' +
      'server on 127.0.0.1 and by the application itself, per second (pages of 1,000)',
    '',
    '| backend | notifications | over HTTP | local | HTTP ÷ local (target) |',
    '| --- | --: | --: | --: | --: |',
  ];
  for (const e of entries) {
    const target = targeted(e.backend) ? ` (≥ ${x(HTTP_TARGET)})` : '';
    lines.push(
      `| ${e.backend} | ${n(e.notifications)} | ${n(e.notifications_per_s)} | ` +
        `${n(e.local_notifications_per_s)} | ${x(e.notifications_per_s / e.local_notifications_per_s)}${target} |`,
    );
  }
  return lines;
}
