import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { Application } from '../../src/application/index.js';
import { Aggregate, aggregate, event } from '../../src/domain/index.js';
import { IntegrityError, OperationalError } from '../../src/persistence/index.js';
import { removeDb, tempDbPath } from '../sqlite/helpers.js';

type Database = {
  exec(sql: string): void;
  close(): void;
};
const BetterSqlite3 = createRequire(import.meta.url)('better-sqlite3') as new (
  path: string,
) => Database;

@aggregate('Registered')
class Dog extends Aggregate {
  name: string;
  tricks: string[] = [];
  constructor(name: string) {
    super();
    this.name = name;
  }

  @event('TrickAdded')
  addTrick(trick: string): void {
    this.tricks.push(trick);
  }
}

class DogSchool extends Application {}

const paths: string[] = [];
after(() => {
  for (const path of paths) removeDb(path);
});

function sqliteApp(path: string): DogSchool {
  return new DogSchool({
    env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: path, SQLITE_LOCK_TIMEOUT: '0' },
  });
}

describe('a failed save', () => {
  test('leaves the pending events on the aggregate, and a retry stores exactly them', async () => {
    const path = tempDbPath('save-retry');
    paths.push(path);
    await using app = sqliteApp(path);
    const dog = new Dog('Fido');
    await app.save(dog);
    dog.addTrick('roll over');
    dog.addTrick('play dead');

    // Another connection holds the write lock: the save fails at once (no busy timeout).
    const other = new BetterSqlite3(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      await assert.rejects(app.save(dog), OperationalError);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.deepEqual(
      dog.pendingEvents.map((e) => e.originatorVersion),
      [2, 3],
    );
    const stored = await app.repository.get<Dog>(dog.id);
    assert.deepEqual(stored.tricks, [], 'nothing of the failed save was stored');

    const recordings = await app.save(dog);
    assert.deepEqual(
      recordings.map((r) => r.domainEvent.originatorVersion),
      [2, 3],
    );
    assert.deepEqual(dog.pendingEvents, []);
    const copy = await app.repository.get<Dog>(dog.id);
    assert.deepEqual(copy.tricks, ['roll over', 'play dead']);
    assert.equal(copy.version, 3);
    const log = await app.notificationLog.select(1, 10);
    assert.equal(log.length, 3, 'each event stored once');
  });

  test('keeps the events in order ahead of those triggered while the save was in flight', async () => {
    const path = tempDbPath('save-retry-order');
    paths.push(path);
    await using app = sqliteApp(path);
    const dog = new Dog('Rex');
    await app.save(dog);
    dog.addTrick('sit');
    const other = new BetterSqlite3(path);
    other.exec('BEGIN EXCLUSIVE');
    let saving: Promise<unknown>;
    try {
      saving = app.save(dog);
      // Triggered after collectEvents() took 'sit', before the save settled.
      dog.addTrick('stay');
      await assert.rejects(saving, OperationalError);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.deepEqual(
      dog.pendingEvents.map((e) => e.originatorVersion),
      [2, 3],
    );
    await app.save(dog);
    const copy = await app.repository.get<Dog>(dog.id);
    assert.deepEqual(copy.tricks, ['sit', 'stay']);
  });

  test('after a conflict with a concurrent writer, a retry is an IntegrityError again, never a silent no-op', async () => {
    const path = tempDbPath('save-conflict');
    paths.push(path);
    await using first = sqliteApp(path);
    await using second = sqliteApp(path);
    const dog = new Dog('Fido');
    await first.save(dog);
    const mine = await first.repository.get<Dog>(dog.id);
    const theirs = await second.repository.get<Dog>(dog.id);
    theirs.addTrick('fetch');
    await second.save(theirs);
    mine.addTrick('beg');
    await assert.rejects(first.save(mine), IntegrityError);
    assert.equal(mine.pendingEvents.length, 1);
    await assert.rejects(first.save(mine), IntegrityError);
    const copy = await first.repository.get<Dog>(dog.id);
    assert.deepEqual(copy.tricks, ['fetch']);
  });

  test('in memory, a save rejected by the recorder keeps the pending events too', async () => {
    await using app = new DogSchool();
    const dog = new Dog('Fido');
    await app.save(dog);
    const stale = await app.repository.get<Dog>(dog.id);
    dog.addTrick('sit');
    await app.save(dog);
    stale.addTrick('stay');
    await assert.rejects(app.save(stale), IntegrityError);
    assert.deepEqual(
      stale.pendingEvents.map((e) => e.originatorVersion),
      [2],
    );
  });
});
