/**
 * W1 through the library's public API: a `DogSchool` (an `Application` subclass) registers the
 * dogs, runs the commands (`repository.get`, a decorated command method, `save`), gets every
 * dog, then reads the whole notification log (`app.notificationLog.select`, in pages) and
 * decodes every event with `app.mapper.toDomainEvent`.
 */
import type { Application, NotificationLog } from 'eventsourcing/application';
import type { Store } from './backends.js';
import { DogSchool, namedApplication } from './dog-school.js';
import type { LibraryW1Figures, Progress, W1Options } from './w1-figures.js';
import { runW1Phases, type W1Subject } from './w1-phases.js';

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
  const callsBefore = insertCalls(app);
  const rates = await runW1Phases(librarySubject(app), options, progress);
  const callsAfter = insertCalls(app);
  const { dogs, tricks } = options;
  const saves_per_write_call =
    callsBefore === null || callsAfter === null || callsAfter === callsBefore
      ? null
      : (dogs * (tricks + 1)) / (callsAfter - callsBefore);
  if (saves_per_write_call !== null) {
    progress(`${saves_per_write_call.toFixed(2)} saves per write call`);
  }
  return {
    register_per_s: rates.register_per_s,
    command_per_s: rates.command_per_s,
    get_per_s: rates.get_per_s,
    notifications_per_s: rates.read_per_s!,
    saves_per_write_call,
  };
}

/** W1's operations through the dog school's public API. */
export function librarySubject(app: DogSchool): W1Subject {
  return {
    label: '',
    readName: 'notifications',
    register: (i) => app.registerDog(`dog-${i}`),
    command: (id, trick) => app.addTrick(id, trick),
    get: async (id) => (await app.getDog(id)).tricks.length,
    readAll: (pageSize) => readNotificationLog(app, pageSize),
  };
}

/** The recorder's count of write calls, if it keeps one (PostgreSQL's group commit does). */
function insertCalls(app: DogSchool): number | null {
  const calls = (app.recorder as { insertCalls?: unknown }).insertCalls;
  return typeof calls === 'number' ? calls : null;
}

/**
 * Reads the whole notification log in pages, decodes every event, and returns the count (W1's
 * log read, the projections' `log_read_per_s`, and both reads of the `http` entries).
 */
export async function readNotificationLog(
  app: { readonly notificationLog: NotificationLog; readonly mapper: Application['mapper'] },
  pageSize: number,
): Promise<number> {
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

export { fmt } from './w1-phases.js';
