/**
 * W1 through the library's public API: a `DogSchool` (an `Application` subclass) registers the
 * dogs, runs the commands (`repository.get`, a decorated command method, `save`), gets every
 * dog, then reads the whole notification log (`app.notificationLog.select`, in pages) and
 * decodes every event with `app.mapper.toDomainEvent`.
 */
import type { Store } from './backends.js';
import { DogSchool, namedApplication } from './dog-school.js';
import { medianRatePerSecond, READ_PASSES, ratePerSecond, runPool } from './pool.js';
import type { LibraryW1Figures, Progress, W1Options } from './w1-figures.js';

/** Runs W1 on the library, on fresh storage, and returns its rates. */
export async function runLibraryW1(
  store: Store,
  options: W1Options,
  progress: Progress,
): Promise<LibraryW1Figures> {
  const App = namedApplication(DogSchool, store.appName);
  App.logSectionSize = options.pageSize;
  // `create` connects and creates tables now, so that set-up is not timed.
  const app = await App.create({ env: store.env });
  try {
    return await runPhases(app, options, progress);
  } finally {
    await app.close();
  }
}

async function runPhases(
  app: DogSchool,
  options: W1Options,
  progress: Progress,
): Promise<LibraryW1Figures> {
  const { dogs, tricks, inFlight } = options;
  const ids = new Array<string>(dogs);
  const callsBefore = insertCalls(app);

  const register_per_s = await ratePerSecond(dogs, () =>
    runPool(inFlight, dogs, async (i) => {
      ids[i] = await app.registerDog(`dog-${i}`);
    }),
  );
  progress(`register ${fmt(register_per_s)}/s`);

  const command_per_s = await ratePerSecond(dogs * tricks, async () => {
    for (let round = 0; round < tricks; round++) {
      const trick = `trick-${round}`;
      await runPool(inFlight, dogs, (i) => app.addTrick(ids[i]!, trick));
    }
  });
  progress(`command ${fmt(command_per_s)}/s`);

  const get_per_s = await ratePerSecond(dogs, () =>
    runPool(inFlight, dogs, async (i) => {
      const dog = await app.getDog(ids[i]!);
      if (dog.tricks.length !== tricks) {
        throw new Error(`dog ${ids[i]} has ${dog.tricks.length} tricks, expected ${tricks}`);
      }
    }),
  );
  progress(`get ${fmt(get_per_s)}/s`);

  const expected = dogs * (tricks + 1);
  let decoded = 0;
  const notifications_per_s = await medianRatePerSecond(READ_PASSES, expected, async () => {
    decoded = await readNotificationLog(app, options.pageSize);
  });
  if (decoded !== expected) {
    throw new Error(`read ${decoded} notifications from the log, expected ${expected}`);
  }
  progress(`notifications ${fmt(notifications_per_s)}/s`);
  const callsAfter = insertCalls(app);
  const saves_per_write_call =
    callsBefore === null || callsAfter === null || callsAfter === callsBefore
      ? null
      : (dogs * (tricks + 1)) / (callsAfter - callsBefore);
  if (saves_per_write_call !== null) {
    progress(`${saves_per_write_call.toFixed(2)} saves per write call`);
  }
  return { register_per_s, command_per_s, get_per_s, notifications_per_s, saves_per_write_call };
}

/** The recorder's count of write calls, if it keeps one (PostgreSQL's group commit does). */
function insertCalls(app: DogSchool): number | null {
  const calls = (app.recorder as { insertCalls?: unknown }).insertCalls;
  return typeof calls === 'number' ? calls : null;
}

/** Reads the whole notification log in pages, decodes every event, and returns the count. */
export async function readNotificationLog(app: DogSchool, pageSize: number): Promise<number> {
  const mapper = app.mapper;
  let count = 0;
  let start = 1;
  for (;;) {
    const page = await app.notificationLog.select(start, pageSize);
    const n = page.length;
    if (n === 0) return count;
    for (let i = 0; i < n; i++) {
      const event = mapper.toDomainEvent(page[i]!);
      if (event.originatorVersion < 1) throw new Error('decoded an event without a version');
    }
    count += n;
    start = page[n - 1]!.id + 1;
  }
}

/** Formats a rate for progress lines. */
export function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
