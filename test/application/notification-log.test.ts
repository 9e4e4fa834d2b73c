import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Application, EventSourcedLog, LocalNotificationLog } from '../../src/application/index.js';
import { Aggregate, aggregate, DomainEvent } from '../../src/domain/index.js';

@aggregate('Planted')
class Tree extends Aggregate {
  constructor() {
    super();
  }
}

class Forest extends Application {
  static override logSectionSize = 5;
}

describe('notification log', () => {
  test('sections link to the next section while full', async () => {
    await using app = new Forest();
    for (let i = 0; i < 13; i++) await app.save(new Tree());
    const first = await app.notificationLog.get('1,5');
    assert.equal(first.id, '1,5');
    assert.equal(first.nextId, '6,10');
    assert.deepEqual(
      first.items.map((n) => n.id),
      [1, 2, 3, 4, 5],
    );
    const last = await app.notificationLog.get('11,15');
    assert.equal(last.id, '11,13');
    assert.equal(last.nextId, null);
    const oversized = await app.notificationLog.get('1,100');
    assert.equal(oversized.items.length, 5);
    const empty = await app.notificationLog.get('20,25');
    assert.deepEqual(empty, { id: null, items: [], nextId: null });
    assert.equal((await app.notificationLog.get('0,3')).id, '1,3');
  });

  test('select honours the section size and options', async () => {
    await using app = new Forest();
    for (let i = 0; i < 7; i++) await app.save(new Tree());
    assert.deepEqual(
      (await app.notificationLog.select(3, 5)).map((n) => n.id),
      [3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      (await app.notificationLog.select(3, 5, { inclusiveOfStart: false, stop: 5 })).map(
        (n) => n.id,
      ),
      [4, 5],
    );
    await assert.rejects(app.notificationLog.get('nonsense'), /Invalid section id/);
  });

  test('select clamps a limit above the section size to the section size', async () => {
    await using app = new Forest();
    for (let i = 0; i < 12; i++) await app.save(new Tree());
    assert.equal(app.notificationLog.strictLimit, false);
    assert.deepEqual(
      (await app.notificationLog.select(1, 100)).map((n) => n.id),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      (await app.notificationLog.select(6, 6)).map((n) => n.id),
      [6, 7, 8, 9, 10],
    );
    // Bad limits are still errors, from the recorder.
    await assert.rejects(app.notificationLog.select(1, -1), TypeError);
    await assert.rejects(app.notificationLog.select(1, Number.NaN), TypeError);
  });

  test('with strictLimit, a limit above the section size is a RangeError, as in Python', async () => {
    await using app = new Forest();
    for (let i = 0; i < 7; i++) await app.save(new Tree());
    const strict = new LocalNotificationLog(app.recorder, 5, { strictLimit: true });
    await assert.rejects(strict.select(1, 6), (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /limit 6 greater than section size 5/);
      return true;
    });
    assert.equal((await strict.select(1, 5)).length, 5);
  });

  test('LocalNotificationLog.strictLimit makes strict every log made without the option', async () => {
    LocalNotificationLog.strictLimit = true;
    try {
      await using app = new Forest();
      await app.save(new Tree());
      assert.equal(app.notificationLog.strictLimit, true);
      await assert.rejects(app.notificationLog.select(1, 6), RangeError);
      const lenient = new LocalNotificationLog(app.recorder, 5, { strictLimit: false });
      assert.equal((await lenient.select(1, 6)).length, 1);
    } finally {
      LocalNotificationLog.strictLimit = false;
    }
  });
});

class TreePlanted extends DomainEvent {
  declare readonly treeId: string;
}

describe('EventSourcedLog', () => {
  test('appends events under one id and reads them back without state', async () => {
    await using app = new Forest();
    const logId = crypto.randomUUID();
    const log = new EventSourcedLog(app.events, logId, TreePlanted);
    assert.equal(await log.getFirst(), null);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tree = new Tree();
      const logged = await log.triggerEvent({ treeId: tree.id });
      await app.save(tree, logged);
      ids.push(tree.id);
    }
    assert.equal((await log.getFirst())?.treeId, ids[0]);
    assert.equal((await log.getLast())?.treeId, ids[2]);
    assert.equal((await log.getLast())?.originatorVersion, 3);
    assert.deepEqual(
      (await log.get({ gt: 1, limit: 1 })).map((e) => e.treeId),
      [ids[1]],
    );
    const stale = await log.triggerEvent({ treeId: 'x' }, { nextOriginatorVersion: 3 });
    await assert.rejects(app.save(stale), { name: 'IntegrityError' });
  });
});
