/**
 * Runs `task(0)` … `task(count - 1)` with at most `inFlight` of them pending at once: each of the
 * `inFlight` workers takes the next index when its previous task settles. Indexes are handed out
 * once, so concurrent tasks always work on distinct items (distinct aggregates in W1).
 */
export async function runPool(
  inFlight: number,
  count: number,
  task: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(inFlight, count); i++) workers.push(worker());
  await Promise.all(workers);
}

/**
 * Runs `phase` and returns how many operations per second it did (`count` operations). No
 * garbage collection is forced first: a full GC between phases is what no running program
 * does, and it made V8 drop the hidden classes of the objects no longer alive, with the
 * optimised code built on them, so every phase began by measuring V8 recovering from it.
 */
export async function ratePerSecond(count: number, phase: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await phase();
  const seconds = (performance.now() - started) / 1000;
  return seconds > 0 ? count / seconds : Number.POSITIVE_INFINITY;
}

/**
 * Reading the W1 log takes a few tens of milliseconds, too short for one timing to mean much on
 * a shared machine: the log is read this many times, library and bare driver alike, and the
 * median pass is the figure.
 */
export const READ_PASSES = 5;

/** Runs `phase` `passes` times and returns the median of its rates (`count` operations each). */
export async function medianRatePerSecond(
  passes: number,
  count: number,
  phase: () => Promise<void>,
): Promise<number> {
  const rates: number[] = [];
  for (let pass = 0; pass < passes; pass++) rates.push(await ratePerSecond(count, phase));
  return median(rates);
}

/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) throw new RangeError('median() of an empty list');
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each numeric field's median over the samples (which all have the same fields). */
export function medianOf<T extends object>(samples: readonly T[]): T {
  const first = samples[0];
  if (first === undefined) throw new RangeError('medianOf() of no samples');
  const result = { ...first } as Record<string, unknown>;
  for (const key of Object.keys(first)) {
    if (typeof result[key] === 'number') {
      result[key] = median(samples.map((s) => (s as Record<string, number>)[key]!));
    }
  }
  return result as T;
}
