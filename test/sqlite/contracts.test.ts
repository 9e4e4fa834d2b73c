import { describe } from 'node:test';
import type { SQLiteFactory } from '../../src/sqlite/index.js';
import {
  aggregateRecorderContract,
  applicationRecorderContract,
  processRecorderContract,
  trackingRecorderContract,
} from '../../src/testing/index.js';
import { removeDb, sqliteFactory, tempDbPath } from './helpers.js';

// Each contract test gets its own database (a file per name, or a private :memory: one), made
// through a factory as applications get them; disposing closes the factory and deletes the file.
const made = new WeakMap<object, { factory: SQLiteFactory; path: string | null }>();

function on<R extends object>(
  memory: boolean,
  vars: Record<string, string>,
  make: (factory: SQLiteFactory) => R,
): (name: string) => R {
  return (name) => {
    const path = memory ? null : tempDbPath(name);
    const factory = sqliteFactory(path ?? ':memory:', vars);
    const recorder = make(factory);
    made.set(recorder, { factory, path });
    return recorder;
  };
}

async function dispose(recorder: object): Promise<void> {
  const entry = made.get(recorder);
  if (entry === undefined) return;
  await entry.factory.close();
  if (entry.path !== null) removeDb(entry.path);
}

for (const memory of [false, true]) {
  describe(memory ? 'SQLite :memory:' : 'SQLite file', () => {
    const uuid = { dispose, textIds: false };
    aggregateRecorderContract(
      on(memory, {}, (f) => f.aggregateRecorder('snapshots')),
      uuid,
    );
    applicationRecorderContract(
      on(memory, {}, (f) => f.applicationRecorder()),
      uuid,
    );
    trackingRecorderContract(
      on(memory, {}, (f) => f.trackingRecorder()),
      uuid,
    );
    processRecorderContract(
      on(memory, {}, (f) => f.processRecorder()),
      uuid,
    );
  });
}

describe('SQLite file, ORIGINATOR_ID_TYPE=text', () => {
  const text = { ORIGINATOR_ID_TYPE: 'text' };
  aggregateRecorderContract(
    on(false, text, (f) => f.aggregateRecorder()),
    { dispose },
  );
  processRecorderContract(
    on(false, text, (f) => f.processRecorder()),
    { dispose },
  );
});

describe('SQLite file, SINGLE_ROW_TRACKING=f', () => {
  const multi = { SINGLE_ROW_TRACKING: 'f' };
  trackingRecorderContract(
    on(false, multi, (f) => f.trackingRecorder()),
    { dispose },
  );
});
