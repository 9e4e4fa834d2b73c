import { describe } from 'node:test';
import type { SQLiteFactory } from '../../src/sqlite/index.js';
import { subscriptionPagesContract } from '../../src/testing/index.js';
import { removeDb, sqliteFactory, tempDbPath } from './helpers.js';

// Each test gets its own database file, deleted when its factory is disposed of.
const made = new WeakMap<object, { factory: SQLiteFactory; path: string }>();

function on<R extends object>(make: (factory: SQLiteFactory) => R): (name: string) => R {
  return (name) => {
    const path = tempDbPath(name);
    const factory = sqliteFactory(path);
    const recorder = make(factory);
    made.set(recorder, { factory, path });
    return recorder;
  };
}

async function dispose(recorder: object): Promise<void> {
  const entry = made.get(recorder);
  if (entry === undefined) return;
  await entry.factory.close();
  removeDb(entry.path);
}

describe('SQLite file', () => {
  subscriptionPagesContract(
    on((f) => f.applicationRecorder()),
    { dispose },
  );
});
