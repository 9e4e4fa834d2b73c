import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { NAMESPACE_URL, uuid5 } from '../../src/domain/index.js';
import { MemoryFactory } from '../../src/memory/index.js';
import { DataError, IntegrityError } from '../../src/persistence/errors.js';
import type { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import type { ApplicationRecorder } from '../../src/persistence/recorders.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { isWellFormed } from '../../src/utils/is-well-formed.js';
import { baseEnv, dropPrefix, unavailable } from '../postgres/helpers.js';
import { removeDb, sqliteFactory, tempDbPath } from '../sqlite/helpers.js';

const encoder = new TextEncoder();
const event = (originatorId: string, originatorVersion: number, topic = 'tests:Event') => ({
  originatorId,
  originatorVersion,
  topic,
  state: encoder.encode(`{"v":${originatorVersion}}`),
});

interface Backend {
  name: string;
  make(vars?: Record<string, string>): { factory: InfrastructureFactory; cleanup(): Promise<void> };
}

const backends: Backend[] = [
  {
    name: 'memory',
    make: () => {
      const factory = new MemoryFactory(new Environment('ids'));
      return { factory, cleanup: () => factory.close() };
    },
  },
  {
    name: 'SQLite',
    make: (vars = {}) => {
      const path = tempDbPath('ids');
      const factory = sqliteFactory(path, vars);
      return {
        factory,
        cleanup: async () => {
          await factory.close();
          removeDb(path);
        },
      };
    },
  },
];
if (unavailable === null) {
  backends.push({
    name: 'PostgreSQL',
    make: (vars = {}) => {
      const name = `ids_${randomUUID().slice(0, 8)}`;
      const factory = new PostgresFactory(new Environment(name, { ...baseEnv, ...vars }));
      return {
        factory,
        cleanup: async () => {
          await factory.close();
          await dropPrefix(name);
        },
      };
    },
  });
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

function recorderOf(backend: Backend, vars?: Record<string, string>): ApplicationRecorder {
  const { factory, cleanup } = backend.make(vars);
  cleanups.push(cleanup);
  return factory.applicationRecorder();
}

describe('UUID ids in upper case', () => {
  for (const backend of backends) {
    test(`on ${backend.name}, an upper-case UUID is the same aggregate as its lower-case form, read back in lower case`, async () => {
      const recorder = recorderOf(backend);
      const id = randomUUID();
      const upper = id.toUpperCase();
      await recorder.insertEvents([event(id, 1)]);
      await assert.rejects(recorder.insertEvents([event(upper, 1)]), IntegrityError);
      await recorder.insertEvents([event(upper, 2)]);
      for (const asked of [id, upper]) {
        const events = await recorder.selectEvents(asked);
        assert.deepEqual(
          events.map((e) => [e.originatorId, e.originatorVersion]),
          [
            [id, 1],
            [id, 2],
          ],
        );
      }
      const notifications = await recorder.selectNotifications(null, 10);
      assert.deepEqual(
        notifications.map((n) => n.originatorId),
        [id, id],
      );
    });
  }
});

describe('ill-formed Unicode in text ids', () => {
  for (const backend of backends) {
    test(`on ${backend.name}, two ids that differ only in a lone surrogate are rejected, not merged`, async () => {
      const recorder = recorderOf(backend, { ORIGINATOR_ID_TYPE: 'text' });
      // Both become "dog-\uFFFD" in UTF-8: stored, they would be one aggregate.
      const first = `dog-${'😀'.slice(0, 1)}`;
      const second = `dog-${'😀'.slice(1)}`;
      await assert.rejects(recorder.insertEvents([event(first, 1)]), (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.match(error.message, /lone UTF-16 surrogate/);
        assert.match(error.message, /toWellFormed/);
        return true;
      });
      await assert.rejects(recorder.insertEvents([event(second, 1)]), DataError);
      await assert.rejects(recorder.selectEvents(first), DataError);
      assert.deepEqual(await recorder.selectNotifications(null, 10), []);
      // A whole emoji is fine, and round-trips exactly.
      const whole = `dog-😀-${randomUUID()}`;
      await recorder.insertEvents([event(whole, 1)]);
      assert.equal((await recorder.selectEvents(whole))[0]?.originatorId, whole);
    });
  }
});

describe('uuid5 and well-formed names', () => {
  test('uuid5 rejects a name holding a lone surrogate instead of colliding with U+FFFD', () => {
    assert.throws(() => uuid5(NAMESPACE_URL, `a${'😀'.slice(0, 1)}`), /lone UTF-16 surrogate/);
    assert.throws(() => uuid5(NAMESPACE_URL, `a${'😀'.slice(1)}`), TypeError);
    assert.notEqual(uuid5(NAMESPACE_URL, 'a😀'), uuid5(NAMESPACE_URL, 'a\uFFFD'));
  });

  test('the well-formedness check agrees with a UTF-8 round trip on random strings', () => {
    const units = [0x41, 0xe9, 0x4e2d, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xfffd];
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(Math.random() * 6);
      let s = '';
      for (let j = 0; j < length; j++) {
        s += String.fromCharCode(units[Math.floor(Math.random() * units.length)]!);
      }
      const roundTrips = new TextDecoder().decode(encoder.encode(s)) === s;
      assert.equal(isWellFormed(s), roundTrips, JSON.stringify(s));
    }
  });
});
