// The other direction: the Python library's own NotificationLogJSONClient reads our server
// (test/interface/python/client_check.py, over a real node:http port on 127.0.0.1). Optional, as
// issue 14 says: it runs when /usr/bin/python3 can import `eventsourcing.interface` from
// PYEVENTSOURCING_PATH (default: the copy of the library's modules in python/pyeventsourcing),
// and is skipped with the reason otherwise (in CI, where python3 is installed, it fails instead).
// The server serves the Python fixtures' stored events (plain, and encrypted without the key),
// and the check must see the same notifications, byte-identical bodies (--strict-bytes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Application } from '../../src/application/application.js';
import {
  createNotificationLogHandler,
  decodeNotifications,
  NotificationLogJSONService,
} from '../../src/interface/index.js';
import type { Notification } from '../../src/persistence/stored-event.js';
import { serve, type TestServer } from './helpers.js';

const python = '/usr/bin/python3';
const pythonDir = join(import.meta.dirname, 'python');
const pyes = process.env.PYEVENTSOURCING_PATH ?? join(pythonDir, 'pyeventsourcing');
const clientCheck = join(pythonDir, 'client_check.py');
const token = 'python-check-token';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      python,
      args,
      { env: { ...process.env, PYEVENTSOURCING_PATH: pyes }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Why the check cannot run here, or null. */
async function unavailable(): Promise<string | null> {
  if (!existsSync(python)) return `${python} is not installed`;
  if (!existsSync(pyes)) {
    return `the Python library is not at PYEVENTSOURCING_PATH=${pyes}`;
  }
  const probe = await run([
    '-c',
    'import sys; sys.path.insert(0, sys.argv[1]); import eventsourcing.interface',
    pyes,
  ]);
  if (probe.code !== 0) {
    return `${python} cannot import eventsourcing.interface from ${pyes}: ${probe.stderr.trim().split('\n').at(-1)}`;
  }
  return null;
}

function fixtureNotifications(names: string[]): Notification[] {
  return names.flatMap((name) =>
    decodeNotifications(readFileSync(join(pythonDir, 'fixtures', name), 'utf8')),
  );
}

async function appHolding(notifications: Notification[]): Promise<Application> {
  const app = new Application();
  for (const n of notifications) {
    await app.recorder.insertEvents([
      {
        originatorId: n.originatorId,
        originatorVersion: n.originatorVersion,
        topic: n.topic,
        state: n.state,
      },
    ]);
  }
  return app;
}

function summarise(notifications: Notification[]) {
  return notifications.map((n) => ({
    id: n.id,
    originator_id: n.originatorId,
    originator_version: n.originatorVersion,
    topic: n.topic,
    state: Buffer.from(n.state).toString('base64'),
  }));
}

interface Summary {
  sections: { requested: string; id: string | null; next_id: string | null; count: number }[];
  notifications: ReturnType<typeof summarise>;
  past_end: { requested: string; id: null; next_id: null };
  selected_count: number;
  topics?: { topics: string[]; notifications: ReturnType<typeof summarise> };
  exclusive?: { start: number; ids: number[] };
  byte_identical: boolean;
}

const why = await unavailable();
if (why !== null && process.env.CI === 'true') {
  throw new Error(`The Python client check cannot run in CI: ${why}.`);
}

describe("the Python library's NotificationLogJSONClient reads our server", {
  skip: why ?? false,
}, () => {
  const plain = fixtureNotifications(['notifications_1_10.json', 'notifications_11_10.json']);
  const encrypted = fixtureNotifications(['encrypted_notifications_1_10.json']);
  const apps: Application[] = [];
  let server: TestServer;
  let encryptedServer: TestServer;

  before(async () => {
    const plainApp = await appHolding(plain);
    const encryptedApp = await appHolding(encrypted);
    apps.push(plainApp, encryptedApp);
    server = await serve(
      createNotificationLogHandler(new NotificationLogJSONService(plainApp), {
        basePath: '/notifications',
        authorize: (request) => request.headers.get('authorization') === `Bearer ${token}`,
      }),
      '/notifications',
    );
    encryptedServer = await serve(
      createNotificationLogHandler(new NotificationLogJSONService(encryptedApp), {
        basePath: '/encrypted',
      }),
      '/encrypted',
    );
  });

  after(async () => {
    await server?.close();
    await encryptedServer?.close();
    for (const app of apps) await app.close();
  });

  test('client_check.py: sections, past the end, select, topics, exclusive start, bytes', async () => {
    const topic = 'make_fixtures:Dog.TrickAdded';
    const result = await run([
      clientCheck,
      server.url,
      '--bearer',
      token,
      '--topic',
      topic,
      '--exclusive-start',
      '3',
      '--strict-bytes',
    ]);
    assert.equal(result.code, 0, `client_check.py failed:\n${result.stderr}${result.stdout}`);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.deepEqual(summary.sections, [
      { requested: '1,10', id: '1,10', next_id: '11,20', count: 10 },
      { requested: '11,20', id: '11,12', next_id: null, count: 2 },
    ]);
    assert.deepEqual(summary.notifications, summarise(plain));
    assert.deepEqual(summary.past_end, { requested: '13,22', id: null, next_id: null });
    assert.equal(summary.selected_count, 12);
    assert.deepEqual(
      summary.topics?.notifications,
      summarise(plain.filter((n) => n.topic === topic)),
    );
    assert.deepEqual(summary.exclusive?.ids, [4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(summary.byte_identical, true);
  });

  test('client_check.py without the token is refused (exit 2, a 401)', async () => {
    const result = await run([clientCheck, server.url]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /401/);
  });

  test('client_check.py reads an encrypted application as ciphertext, served without the key', async () => {
    const result = await run([clientCheck, encryptedServer.url, '--strict-bytes']);
    assert.equal(result.code, 0, `client_check.py failed:\n${result.stderr}${result.stdout}`);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.deepEqual(summary.notifications, summarise(encrypted));
    assert.equal(summary.byte_identical, true);
  });
});

if (why !== null) {
  test('the Python client check', { skip: why }, () => {});
}
