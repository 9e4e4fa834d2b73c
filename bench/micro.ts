/**
 * Microbenchmarks of the steps the speed machinery is for, each timed on its own, for A/B
 * comparisons of two versions of the code (run this file from each checkout in turn, several
 * times, and compare the medians): decode a W1 event, encode a W1 event, `repository.get` of a
 * W1 dog in memory, `repository.get` in memory of a dog with 999 tricks from a snapshot, and
 * reading and decoding 10,000 W1 notifications from SQLite. One JSON line on stdout, each
 * figure in microseconds per operation (median of `--rounds` rounds).
 *
 *   npx tsx bench/micro.ts [--rounds 15] [--only decode,encode,get,snapshot,sqlite]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dog } from './dog-school.js';
import { DogSchool, SnapshottingDogSchool } from './dog-school.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1]!;
};
const rounds = Number(option('--rounds', '15'));
const only = new Set(option('--only', 'decode,encode,get,snapshot,sqlite').split(','));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Median µs per operation of `rounds` rounds of `n` calls of `fn`. */
async function time(n: number, fn: (i: number) => unknown): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < rounds + 3; r++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const result = fn(i);
      if (result instanceof Promise) await result;
    }
    if (r >= 3) samples.push(((performance.now() - started) * 1000) / n);
  }
  return median(samples);
}

const figures: Record<string, number> = {};

if (only.has('decode') || only.has('encode') || only.has('get')) {
  const app = new DogSchool();
  const ids: string[] = [];
  for (let i = 0; i < 2000; i++) ids.push(await app.registerDog(`dog-${i}`));
  for (let round = 0; round < 4; round++) {
    for (const id of ids) await app.addTrick(id, `trick-${round}`);
  }
  const notifications = await app.recorder.selectNotifications(1, 10_000);
  const trickEvents = notifications.filter((n) => n.topic.endsWith('TrickAdded'));
  const domainEvents = trickEvents.map((n) => app.mapper.toDomainEvent(n));
  if (only.has('decode')) {
    figures.decode_us = await time(trickEvents.length, (i) =>
      app.mapper.toDomainEvent(trickEvents[i]!),
    );
  }
  if (only.has('encode')) {
    figures.encode_us = await time(domainEvents.length, (i) =>
      app.mapper.toStoredEvent(domainEvents[i]!),
    );
  }
  if (only.has('get')) {
    figures.get_us = await time(ids.length, (i) => app.getDog(ids[i]!));
  }
  await app.close();
}

if (only.has('snapshot')) {
  const app = new SnapshottingDogSchool();
  const id = await app.registerDog('big');
  const dog = await app.repository.get<Dog>(id);
  for (let i = 1; i < 1000; i++) dog.addTrick(`trick-${i}`);
  await app.save(dog);
  await app.takeSnapshot(id);
  figures.snapshot_get_us = await time(200, () => app.repository.get(id));
  await app.close();
}

if (only.has('sqlite')) {
  const dir = mkdtempSync(join(tmpdir(), 'micro-'));
  try {
    const app = await DogSchool.create({
      env: {
        PERSISTENCE_MODULE: 'sqlite',
        SQLITE_DBNAME: join(dir, 'micro.db'),
        SQLITE_SYNCHRONOUS: 'OFF',
      },
    });
    const ids: string[] = [];
    for (let i = 0; i < 2000; i++) ids.push(await app.registerDog(`dog-${i}`));
    for (let round = 0; round < 4; round++) {
      for (const id of ids) await app.addTrick(id, `trick-${round}`);
    }
    const readAll = async (): Promise<void> => {
      let start = 1;
      for (;;) {
        const page = await app.recorder.selectNotifications(start, 1000);
        if (page.length === 0) return;
        for (const n of page) app.mapper.toDomainEvent(n);
        start = page[page.length - 1]!.id + 1;
      }
    };
    figures.sqlite_read_10k_us = (await time(1, readAll)) / 1;
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(JSON.stringify(figures));
