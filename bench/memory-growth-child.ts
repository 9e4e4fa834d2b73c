/**
 * Child process of the memory-growth measurement (run with `--expose-gc`): inserts N small
 * events into an in-memory application through its recorder in big batches, forces a GC, then
 * iterates every notification with `recorder.subscribe()`, decoding each with the mapper, and
 * prints one JSON line: the RSS after the forced GC before iterating, the peak RSS while
 * iterating, and their difference.
 */
import { randomUUID } from 'node:crypto';
import { Dog, DogSchool } from './dog-school.js';

const MB = 1024 * 1024;
const notifications = Number(process.argv[2]);
if (!Number.isInteger(notifications) || notifications < 1) {
  throw new RangeError(`usage: memory-growth-child.ts <notifications>, got ${process.argv[2]}`);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const app = new DogSchool({ env: { PERSISTENCE_MODULE: 'memory' } });
// One real TrickAdded event gives the topic and state bytes every stored event reuses.
const template = new Dog('template');
template.addTrick('sit');
const trickAdded = app.mapper.toStoredEvent(template.collectEvents()[1]!);

const perAggregate = 10;
const batchSize = 10_000;
let inserted = 0;
while (inserted < notifications) {
  const size = Math.min(batchSize, notifications - inserted);
  const batch = [];
  let id = randomUUID();
  for (let i = 0; i < size; i++) {
    const position = inserted + i;
    if (position % perAggregate === 0 && i > 0) id = randomUUID();
    batch.push({
      ...trickAdded,
      originatorId: id,
      originatorVersion: (position % perAggregate) + 1,
    });
  }
  await app.recorder.insertEvents(batch);
  inserted += size;
}

gc();
gc();
const baseline = process.memoryUsage().rss;
let peak = baseline;
let count = 0;
const started = performance.now();
const subscription = app.recorder.subscribe({ gt: null });
for await (const notification of subscription) {
  app.mapper.toDomainEvent(notification);
  count += 1;
  if (count % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  if (count === notifications) break;
}
const seconds = (performance.now() - started) / 1000;
peak = Math.max(peak, process.memoryUsage().rss);
gc();
const after = process.memoryUsage().rss;
await app.close();
process.stdout.write(
  `${JSON.stringify({
    notifications: count,
    baseline_rss_mb: baseline / MB,
    peak_rss_mb: peak / MB,
    after_gc_rss_mb: after / MB,
    rss_growth_mb: (peak - baseline) / MB,
    iterate_per_s: count / seconds,
  })}\n`,
);
