/**
 * Renders a saved `--json` report as the Markdown table `npm run bench` prints, e.g. to update
 * docs/benchmarks.md: `npx tsx bench/format-report.ts report.json`. Lines before the JSON
 * document (npm's banner, when `--silent` was forgotten) are skipped.
 */
import { readFileSync } from 'node:fs';
import { type BenchReport, formatTable } from './report.js';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: tsx bench/format-report.ts <report.json>\n');
  process.exit(2);
}
const text = readFileSync(path, 'utf8');
const start = text.search(/^\{/m);
if (start < 0) throw new Error(`${path} holds no JSON document`);
const report = JSON.parse(text.slice(start)) as BenchReport;
process.stdout.write(`${formatTable(report)}\n\nmachine: ${JSON.stringify(report.machine)}\n`);
