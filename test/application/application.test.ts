import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Application, RecorderOptions } from '../../src/application/index.js';
import { Aggregate, aggregate, event } from '../../src/domain/index.js';
import {
  AESCipher,
  type InsertEventsOptions,
  IntegrityError,
} from '../../src/persistence/index.js';
import type { ApplicationRecorder } from '../../src/persistence/recorders.js';

@aggregate('Registered')
class Pupil extends Aggregate {
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

class School extends Application {
  async register(name: string): Promise<string> {
    const pupil = new Pupil(name);
    await this.save(pupil);
    return pupil.id;
  }
  async teach(id: string, trick: string): Promise<void> {
    const pupil = await this.repository.get<Pupil>(id);
    pupil.addTrick(trick);
    await this.save(pupil);
  }
}

describe('Application', () => {
  test('saves aggregates and reconstructs them from their events', async () => {
    await using app = new School();
    const id = await app.register('Fido');
    await app.teach(id, 'roll over');
    await app.teach(id, 'play dead');
    const pupil = await app.repository.get<Pupil>(id);
    assert.equal(pupil.name, 'Fido');
    assert.deepEqual(pupil.tricks, ['roll over', 'play dead']);
    assert.equal(pupil.version, 3);
    assert.ok(pupil instanceof Pupil);
  });

  test('save returns a recording per event, with notification ids in order', async () => {
    await using app = new School();
    const a = new Pupil('A');
    a.addTrick('sit');
    const b = new Pupil('B');
    const recordings = await app.save(a, b, null, undefined);
    assert.deepEqual(
      recordings.map((r) => r.notification.id),
      [1, 2, 3],
    );
    assert.deepEqual(
      recordings.map((r) => r.notification.topic),
      ['Pupil.Registered', 'Pupil.TrickAdded', 'Pupil.Registered'],
    );
    assert.equal(recordings[0]?.domainEvent.originatorId, a.id);
    assert.deepEqual(await app.save(), []);
    assert.deepEqual(await app.save(null), []);
    assert.equal(await app.recorder.maxNotificationId(), 3);
  });

  test('save takes domain events as well as aggregates', async () => {
    await using app = new School();
    const pupil = new Pupil('Rex');
    const [created] = pupil.collectEvents();
    assert.ok(created);
    await app.save(created);
    assert.equal((await app.repository.get<Pupil>(pupil.id)).name, 'Rex');
  });

  test('save rejects things that are neither aggregates nor events, storing nothing', async () => {
    await using app = new School();
    const pupil = new Pupil('Rex');
    await assert.rejects(
      app.save(pupil, { hello: 'world' } as never),
      (error: Error) => error instanceof TypeError && /Cannot save/.test(error.message),
    );
    assert.equal(await app.recorder.maxNotificationId(), null);
  });

  test('a concurrent change is an IntegrityError and stores nothing of the save', async () => {
    await using app = new School();
    const id = await app.register('Fido');
    const copy1 = await app.repository.get<Pupil>(id);
    const copy2 = await app.repository.get<Pupil>(id);
    copy1.addTrick('sit');
    await app.save(copy1);
    const other = new Pupil('Other');
    copy2.addTrick('stay');
    await assert.rejects(app.save(other, copy2), IntegrityError);
    assert.deepEqual((await app.repository.get<Pupil>(id)).tricks, ['sit']);
    assert.equal(await app.repository.contains(other.id), false);
    assert.equal(await app.recorder.maxNotificationId(), 2);
  });

  test('get at a version, not found, contains', async () => {
    await using app = new School();
    const id = await app.register('Fido');
    await app.teach(id, 'sit');
    await app.teach(id, 'stay');
    const v2 = await app.repository.get<Pupil>(id, { version: 2 });
    assert.deepEqual(v2.tricks, ['sit']);
    assert.equal(v2.version, 2);
    await assert.rejects(app.repository.get(crypto.randomUUID()), {
      name: 'AggregateNotFoundError',
    });
    assert.equal(await app.repository.contains(id), true);
    assert.equal(await app.repository.contains(crypto.randomUUID()), false);
  });

  test('two applications do not share in-memory storage', async () => {
    await using app1 = new School();
    await using app2 = new School();
    const id = await app1.register('Fido');
    assert.equal(await app2.repository.contains(id), false);
  });

  test('name is the class name unless the class overrides it', async () => {
    class Named extends Application {
      static override name = 'Kennel';
    }
    await using school = new School();
    await using named = new Named();
    assert.equal(school.name, 'School');
    assert.equal(named.name, 'Kennel');
  });

  test('environment: class env < process.env < constructor env, scoped keys win', async () => {
    class Configured extends Application {
      static override env = { A: 'class', B: 'class', C: 'class' };
    }
    process.env.B = 'process';
    process.env.C = 'process';
    try {
      await using app = new Configured({ env: { C: 'ctor', CONFIGURED_D: 'scoped', D: 'plain' } });
      assert.equal(app.env.get('A'), 'class');
      assert.equal(app.env.get('B'), 'process');
      assert.equal(app.env.get('C'), 'ctor');
      assert.equal(app.env.get('D'), 'scoped');
    } finally {
      delete process.env.B;
      delete process.env.C;
    }
  });

  test('an unknown persistence module is a clear error', () => {
    assert.throws(
      () => new School({ env: { PERSISTENCE_MODULE: 'no-such-module' } }),
      (error: Error) =>
        error.name === 'InfrastructureFactoryError' && /no-such-module/.test(error.message),
    );
  });

  test('Application.create constructs with the factory resolved asynchronously', async () => {
    const app = await School.create({ env: { PERSISTENCE_MODULE: 'popo' } });
    assert.ok(app instanceof School);
    const id = await app.register('Fido');
    assert.equal((await app.repository.get<Pupil>(id)).name, 'Fido');
    await app.close();
    await app.close();
  });

  test('encryption and compression configured by environment', async () => {
    await using app = new School({
      env: { CIPHER_KEY: AESCipher.createKey(16), COMPRESSOR_TOPIC: 'zlib' },
    });
    const id = await app.register('Fido');
    await app.teach(id, 'roll over');
    const [notification] = await app.recorder.selectNotifications(1, 1);
    assert.ok(notification);
    const text = Buffer.from(notification.state).toString('latin1');
    assert.ok(!text.includes('Fido'), 'state should not be readable');
    assert.deepEqual((await app.repository.get<Pupil>(id)).tricks, ['roll over']);
  });

  test('RecorderOptions are passed to the recorder with the events', async () => {
    const seen: (InsertEventsOptions | undefined)[] = [];
    class Spying extends School {
      protected override constructRecorder(): ApplicationRecorder {
        const recorder = super.constructRecorder();
        const insert = recorder.insertEvents.bind(recorder);
        recorder.insertEvents = async (events, options) => {
          seen.push(options);
          return insert(events, options);
        };
        return recorder;
      }
    }
    await using app = new Spying();
    await app.save(new Pupil('Fido'), new RecorderOptions({ insertPages: ['p'] }));
    assert.deepEqual(seen, [{ insertPages: ['p'] }]);
  });
});
