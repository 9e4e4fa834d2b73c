/** The peers benchmark's JSON document and its table. */
import type { W1Rates } from '../w1-phases.js';

/** One side's figures for a backend and number in flight: medians, or why there are none. */
export type SideResult = { rates: W1Rates } | { error: string };

/** One row: a backend at one number in flight, the library beside Emmett. */
export interface PeersResultEntry {
  backend: string;
  inFlight: number;
  library: SideResult;
  /** Null when the run measured the library alone. */
  emmett: SideResult | null;
}

/** The whole `--json` document of `npm run bench:peers`. */
export interface PeersReport {
  machine: Record<string, unknown>;
  workload: Record<string, unknown>;
  emmett: Record<string, unknown> | null;
  results: PeersResultEntry[];
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');

function rate(side: SideResult | null, key: keyof W1Rates): number | null | string {
  if (side === null) return null;
  if ('error' in side) return 'failed';
  return side.rates[key];
}

/** A cell: library / Emmett (library ÷ Emmett), or what is missing on either side. */
function cell(library: SideResult, emmett: SideResult | null, key: keyof W1Rates): string {
  const lib = rate(library, key);
  const em = rate(emmett, key);
  const show = (v: number | null | string) => (typeof v === 'number' ? n(v) : (v ?? '–'));
  if (emmett === null) return show(lib);
  if (typeof lib === 'number' && typeof em === 'number') {
    return `${n(lib)} / ${n(em)} (${(lib / em).toFixed(2)}×)`;
  }
  return `${show(lib)} / ${show(em)}`;
}

/** The report as a Markdown table, with the reasons for any failed or missing cells below it. */
export function formatPeersTable(report: PeersReport): string {
  const lines = [
    'W1, per second: library / Emmett (library ÷ Emmett)',
    '',
    '| backend | in flight | register | command | get | read log |',
    '| --- | --: | --: | --: | --: | --: |',
  ];
  const notes: string[] = [];
  for (const r of report.results) {
    lines.push(
      `| ${r.backend} | ${r.inFlight} | ${cell(r.library, r.emmett, 'register_per_s')} | ` +
        `${cell(r.library, r.emmett, 'command_per_s')} | ${cell(r.library, r.emmett, 'get_per_s')} | ` +
        `${cell(r.library, r.emmett, 'read_per_s')} |`,
    );
    for (const [name, side] of [
      ['library', r.library],
      ['Emmett', r.emmett],
    ] as const) {
      if (side !== null && 'error' in side) {
        notes.push(`${name} on ${r.backend} at ${r.inFlight} in flight failed: ${side.error}`);
      }
    }
  }
  if (report.results.some((r) => r.backend === 'memory' && r.emmett !== null)) {
    notes.push("Emmett's in-memory store has no API that reads the whole log: not measured (–).");
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${note}`));
  return lines.join('\n');
}
