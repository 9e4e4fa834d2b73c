// The Python library's notification log JSON (test/interface/python/fixtures, written by its
// NotificationLogJSONService) in both directions: our client and wire format decode every fixture
// to what manifest.json says (UUIDs, versions, topics, state bytes; the encrypted and compressed
// application's states decrypt with the manifest's key through a Mapper configured from the
// same env as the Python application), and our service, serving the same stored events from a
// memory or SQLite recorder, writes every fixture byte for byte (directly and through the handler).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Application } from '../../src/application/application.js';
import { DomainEvent } from '../../src/domain/domain-event.js';
import { registerTopic } from '../../src/domain/topics.js';
import {
  createNotificationLogHandler,
  decodeNotifications,
  decodeSection,
  type NotificationLogInterface,
  NotificationLogJSONClient,
  NotificationLogJSONService,
} from '../../src/interface/index.js';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import type { Notification } from '../../src/persistence/stored-event.js';
import { ZlibCompressor } from '../../src/persistence/zlib-compressor.js';
import type { EnvType } from '../../src/utils/environment.js';
import { tempDbPath } from '../sqlite/helpers.js';

const fixturesDir = join(import.meta.dirname, 'python', 'fixtures');

interface FixtureSpec {
  application: 'plain' | 'encrypted';
  call: 'get_log_section' | 'get_notifications';
  args: {
    section_id?: string;
    start?: number;
    limit?: number;
    topics?: string[];
    inclusive_of_start?: boolean;
  };
  note?: string;
}

interface Manifest {
  python_library: { version: string; commit: string };
  section_size: number;
  applications: Record<
    'plain' | 'encrypted',
    {
      env: Record<string, string>;
      aggregates: { name: string; id: string }[];
      notifications: number;
      plaintext_states?: string[];
    }
  >;
  fixtures: Record<string, FixtureSpec>;
}

const manifest = JSON.parse(readFileSync(join(fixturesDir, 'manifest.json'), 'utf8')) as Manifest;
/** Each fixture's exact bytes, as UTF-8 text (no trailing newline). */
const fixtures = new Map(
  Object.keys(manifest.fixtures).map((name) => [
    name,
    readFileSync(join(fixturesDir, name), 'utf8'),
  ]),
);
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every notification of an application, from its widest selections (ids 1 to N). */
function allNotifications(application: 'plain' | 'encrypted'): Notification[] {
  const names =
    application === 'plain'
      ? ['notifications_1_10.json', 'notifications_11_10.json']
      : ['encrypted_notifications_1_10.json'];
  return names.flatMap((name) => decodeNotifications(fixtures.get(name) ?? ''));
}

/** What a fixture should hold, computed from the manifest's call and the whole log. */
function expected(spec: FixtureSpec): {
  id?: string | null;
  nextId?: string | null;
  ids: number[];
} {
  const all = allNotifications(spec.application);
  const count = manifest.applications[spec.application].notifications;
  assert.equal(all.length, count);
  if (spec.call === 'get_log_section') {
    const [first, last] = (spec.args.section_id ?? '').split(',').map(Number) as [number, number];
    const start = Math.max(first, 1);
    const limit = Math.min(last - start + 1, manifest.section_size);
    const ids = all.map((n) => n.id).filter((id) => id >= start && id < start + limit);
    const full = ids.length === limit;
    return {
      id: ids.length === 0 ? null : `${ids[0]},${ids.at(-1)}`,
      nextId: full ? `${start + limit},${start + 2 * limit - 1}` : null,
      ids,
    };
  }
  const { start = 1, limit = 10, topics = [], inclusive_of_start = true } = spec.args;
  const ids = all
    .filter((n) => (inclusive_of_start ? n.id >= start : n.id > start))
    .filter((n) => topics.length === 0 || topics.includes(n.topic))
    .map((n) => n.id)
    .slice(0, limit);
  return { ids };
}

test('the fixtures are the set the manifest lists, by the pinned Python library', () => {
  const onDisk = readdirSync(fixturesDir)
    .filter((name) => name.endsWith('.json') && name !== 'manifest.json')
    .sort();
  assert.deepEqual(onDisk, Object.keys(manifest.fixtures).sort());
  assert.equal(manifest.python_library.commit, 'dc9b7e4fa55305c8f24ab0dd4636deec13297261');
  assert.equal(manifest.section_size, Application.logSectionSize);
  for (const [name, text] of fixtures) {
    assert.ok(!text.endsWith('\n'), `${name} ends with a newline`);
    assert.ok(/^[\x20-\x7e]*$/.test(text), `${name} is not ASCII (json.dumps escapes)`);
  }
});

describe('our client decodes every Python fixture as the manifest says', () => {
  for (const [name, spec] of Object.entries(manifest.fixtures)) {
    test(`${name} (${spec.call} ${JSON.stringify(spec.args)})`, async () => {
      const text = fixtures.get(name) ?? '';
      const want = expected(spec);
      // Through NotificationLogJSONClient, over an interface that returns the fixture.
      const fixtureInterface: NotificationLogInterface = {
        getLogSection: async () => text,
        getNotifications: async () => text,
      };
      const client = new NotificationLogJSONClient(fixtureInterface);
      let items: readonly Notification[];
      if (spec.call === 'get_log_section') {
        const section = await client.get(spec.args.section_id ?? '');
        assert.equal(section.id, want.id);
        assert.equal(section.nextId, want.nextId);
        assert.deepEqual(section, decodeSection(text));
        items = section.items;
      } else {
        items = await client.select(spec.args.start, spec.args.limit ?? 10, {
          topics: spec.args.topics ?? [],
          inclusiveOfStart: spec.args.inclusive_of_start ?? true,
        });
        assert.deepEqual(items, decodeNotifications(text));
      }
      assert.deepEqual(
        items.map((n) => n.id),
        want.ids,
      );
      const app = manifest.applications[spec.application];
      const raw = JSON.parse(text) as
        | { items: { originator_id: string; state: string }[] }
        | { originator_id: string; state: string }[];
      const rawItems = Array.isArray(raw) ? raw : raw.items;
      for (const [k, n] of items.entries()) {
        const rawItem = rawItems[k];
        assert.ok(rawItem);
        // UUIDs: 32-hex on the wire, hyphenated UUIDs of the manifest's aggregates here.
        assert.match(n.originatorId, uuidPattern);
        assert.equal(n.originatorId.replaceAll('-', ''), rawItem.originator_id);
        assert.ok(
          app.aggregates.some((a) => a.id === n.originatorId),
          `${n.originatorId} is not one of the manifest's aggregates`,
        );
        assert.ok(Number.isInteger(n.originatorVersion) && n.originatorVersion >= 1);
        assert.match(n.topic, /^make_fixtures:Dog\./);
        // State: the base64's bytes exactly.
        assert.ok(n.state instanceof Uint8Array);
        assert.deepEqual(Buffer.from(n.state), Buffer.from(rawItem.state, 'base64'));
        if (spec.application === 'plain') {
          // The plain application's state is its JSON; the clock ticks a second per event.
          const state = JSON.parse(Buffer.from(n.state).toString('utf8')) as {
            timestamp: { _type_: string; _data_: string };
          };
          const second = String(n.id - 1).padStart(2, '0');
          assert.deepEqual(state.timestamp, {
            _type_: 'datetime_iso',
            _data_: `2024-01-01T00:00:${second}+00:00`,
          });
        }
      }
    });
  }

  test('the plain log: versions count up per aggregate; the names and non-ASCII survive', () => {
    const all = allNotifications('plain');
    const versions = new Map<string, number>();
    for (const n of all) {
      const next = (versions.get(n.originatorId) ?? 0) + 1;
      assert.equal(n.originatorVersion, next, `notification ${n.id}`);
      versions.set(n.originatorId, next);
    }
    const created = all.filter((n) => n.topic === 'make_fixtures:Dog.Created');
    const names = created.map((n) => {
      const state = JSON.parse(Buffer.from(n.state).toString('utf8')) as { name: string };
      return [n.originatorId, state.name];
    });
    assert.deepEqual(
      names,
      manifest.applications.plain.aggregates.map((a) => [a.id, a.name]),
    );
    assert.ok(all.some((n) => n.topic === 'make_fixtures:Dog.Renommé'));
  });
});

describe('the encrypted and compressed application decodes with the manifest key', () => {
  // Classes under the Python topics, so the Mapper can make the domain events.
  class Created extends DomainEvent {
    declare name: string;
  }
  class TrickAdded extends DomainEvent {
    declare trick: string;
  }
  registerTopic('make_fixtures:Dog.Created', Created);
  registerTopic('make_fixtures:Dog.TrickAdded', TrickAdded);

  test('a Mapper configured from the same env decrypts, decompresses and decodes', async () => {
    const { env, plaintext_states: plaintexts = [] } = manifest.applications.encrypted;
    const app = new Application({ env });
    try {
      assert.ok(app.mapper.cipher instanceof AESCipher);
      assert.ok(app.mapper.compressor instanceof ZlibCompressor);
      const items = decodeSection(fixtures.get('encrypted_section_1_10.json') ?? '').items;
      assert.equal(items.length, plaintexts.length);
      for (const [k, n] of items.entries()) {
        // Nonce (a counter in the fixtures) + tag + ciphertext, so never the plaintext.
        assert.deepEqual([...n.state.subarray(0, 12)], [...new Uint8Array(11), k + 1]);
        const plain = app.mapper.compressor?.decompress(app.mapper.cipher?.decrypt(n.state));
        assert.equal(Buffer.from(plain ?? []).toString('utf8'), plaintexts[k]);
      }
      const events = items.map((n) => app.mapper.toDomainEvent(n));
      assert.ok(events[0] instanceof Created);
      assert.equal(events[0].name, 'Ada');
      assert.equal(events[0].originatorId, manifest.applications.encrypted.aggregates[0]?.id);
      assert.ok(events[1] instanceof TrickAdded);
      assert.equal(events[1].trick, 'encrypted ✓');
      assert.equal(events[1].timestamp.toISOString(), '2024-01-01T00:00:13.000Z');
      assert.ok(events[2] instanceof TrickAdded);
      assert.equal(events[2].trick, `compressed ${'a'.repeat(64)}`);
      // A wrong key fails rather than decoding nonsense.
      const wrong = new Application({ env: { ...env, CIPHER_KEY: AESCipher.createKey() } });
      try {
        assert.throws(() => wrong.mapper.toDomainEvent({ ...items[0]! }));
      } finally {
        await wrong.close();
      }
    } finally {
      await app.close();
    }
  });
});

/** An application of the given env holding exactly the fixture's stored events, ids 1 to N. */
async function recordedApp(application: 'plain' | 'encrypted', env: EnvType): Promise<Application> {
  const app = new Application({ env });
  for (const n of allNotifications(application)) {
    const [id] = await app.recorder.insertEvents([
      {
        originatorId: n.originatorId,
        originatorVersion: n.originatorVersion,
        topic: n.topic,
        state: n.state,
      },
    ]);
    assert.equal(id, n.id);
  }
  return app;
}

const backends: { name: string; env: (app: string) => EnvType }[] = [
  { name: 'memory', env: () => ({}) },
  {
    name: 'SQLite',
    env: (app) => ({ PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: tempDbPath(`python-${app}`) }),
  },
];

for (const backend of backends) {
  describe(`our service writes every Python fixture byte for byte (${backend.name})`, () => {
    const apps = new Map<string, Application>();
    after(async () => {
      for (const app of apps.values()) await app.close();
    });

    async function appFor(application: 'plain' | 'encrypted'): Promise<Application> {
      let app = apps.get(application);
      if (app === undefined) {
        // The served application needs no cipher key: it serves what is recorded.
        app = await recordedApp(application, backend.env(application));
        apps.set(application, app);
      }
      return app;
    }

    for (const [name, spec] of Object.entries(manifest.fixtures)) {
      test(name, async () => {
        const service = new NotificationLogJSONService(await appFor(spec.application));
        const handler = createNotificationLogHandler(service, { basePath: '/log' });
        let json: string;
        let url: string;
        if (spec.call === 'get_log_section') {
          json = await service.getLogSection(spec.args.section_id ?? '');
          url = `http://localhost/log/${spec.args.section_id}`;
        } else {
          json = await service.getNotifications(spec.args.start, spec.args.limit ?? 10, {
            topics: spec.args.topics ?? [],
            inclusiveOfStart: spec.args.inclusive_of_start ?? true,
          });
          const params = new URLSearchParams();
          if (spec.args.start !== undefined) params.set('start', String(spec.args.start));
          params.set('limit', String(spec.args.limit ?? 10));
          for (const topic of spec.args.topics ?? []) params.append('topics', topic);
          if (spec.args.inclusive_of_start === false) params.set('inclusive_of_start', 'false');
          url = `http://localhost/log?${params}`;
        }
        assert.equal(json, fixtures.get(name));
        // The handler's body is the same bytes. It is stricter than Python about section ids:
        // "0,4" (which Python reads as "1,4") is a 400 there, as the handler tests say.
        const response = await handler(new Request(url));
        if (spec.args.section_id?.startsWith('0,')) {
          assert.equal(response.status, 400);
          return;
        }
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'application/json');
        assert.equal(await response.text(), fixtures.get(name));
      });
    }
  });
}
