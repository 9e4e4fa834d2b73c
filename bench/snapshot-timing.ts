/**
 * `repository.get` of a large aggregate with and without a snapshot: one dog with `events`
 * events, got several times before a snapshot exists and several times after `takeSnapshot`;
 * the medians are reported, with the bare driver's read of the stored snapshot row (the least
 * such a get must do, so `get_without_ms / raw_read_ms` is the most a snapshot can gain there).
 */
import type { Store, StoreSettings } from './backends.js';
import { type Dog, namedApplication, SnapshottingDogSchool } from './dog-school.js';
import { median } from './pool.js';
import { timeRawSnapshotRead } from './raw-snapshot-read.js';

/** Gets before each timed series, so that both paths are timed once optimised. */
const WARM_UP_GETS = 200;

/** One backend's snapshot timing. */
export interface SnapshotFigures {
  backend: string;
  events: number;
  get_with_ms: number;
  get_without_ms: number;
  /** The bare driver selecting the snapshot row alone, median ms (null for memory). */
  raw_read_ms: number | null;
}

/**
 * Times `repository.get` of an `events`-event aggregate, median of `repeats` gets each way, and
 * the bare driver's read of its snapshot row.
 */
export async function runSnapshotTiming(
  store: Store,
  settings: StoreSettings,
  events: number,
  repeats: number,
): Promise<SnapshotFigures> {
  if (!Number.isInteger(events) || events < 2) throw new RangeError('snapshot events must be ≥ 2');
  const App = namedApplication(SnapshottingDogSchool, store.appName);
  const app = await App.create({ env: store.env });
  try {
    const id = await app.registerDog('big');
    const dog = await app.repository.get<Dog>(id);
    for (let i = 1; i < events; i++) dog.addTrick(`trick-${i}`);
    await app.save(dog);

    const time = async (count = repeats): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const got = await app.repository.get<Dog>(id);
        samples.push(performance.now() - started);
        if (got.version !== events) throw new Error(`got version ${got.version}, not ${events}`);
      }
      return median(samples);
    };
    // Warm-ups: V8 optimises a function after it has run a while (about a hundred of these
    // gets); steady-state figures are what an application running for a while sees.
    await time(WARM_UP_GETS);
    const get_without_ms = await time();
    await app.takeSnapshot(id);
    await time(WARM_UP_GETS);
    const get_with_ms = await time();
    const raw_read_ms = await timeRawSnapshotRead(store, settings, id, WARM_UP_GETS, repeats);
    return { backend: store.backend, events, get_with_ms, get_without_ms, raw_read_ms };
  } finally {
    await app.close();
  }
}
