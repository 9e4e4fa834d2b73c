// The inspecting commands of the `eventsourcing` bin against a real database, run in child
// processes (cli-process.ts): DogSchool with a few dogs, Vault (the same classes, encrypted
// and compressed), the DogCounters projection one event behind, and the Registrations
// follower two behind. Each command's table and --json output is checked against what was
// stored; lag's exit codes over and under its limits; tail --follow printing an event saved
// after it started and stopping on SIGINT; rebuild with --dry-run, without --yes (no
// terminal) and with --yes. Used by inspect-sqlite.test.ts and inspect-postgres.test.ts.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { after, before, describe, it } from 'node:test';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import { Environment, type EnvType } from '../../src/utils/environment.js';
import { freshEnv, type SystemBackend } from '../system/backends.js';
import { CliProcess, runCli } from './cli-process.js';
import {
  type CountersView,
  DogSchool,
  postgresCounters,
  Registrations,
  sqliteCounters,
} from './fixtures/dog-school.js';

const FIXTURES = 'test/cli/fixtures/dog-school.ts';

/** One JSON object per line. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Defines the inspection tests on a backend. */
export function inspectionSuite(
  backend: SystemBackend,
  options: {
    /** The export of dog-school.ts that rebuild takes. */
    readonly countersExport: 'sqliteCounters' | 'postgresCounters';
    /** Whether the projection and follower are found without naming them (one schema). */
    readonly readersFoundByLooking: boolean;
  },
): void {
  describe(`eventsourcing info, events, log, tail, lag, rebuild (${backend.name})`, () => {
    let env: EnvType;
    let childEnv: NodeJS.ProcessEnv;
    let fido: string;
    let rex: string;
    const key = AESCipher.createKey();
    const counters =
      options.countersExport === 'sqliteCounters' ? sqliteCounters : postgresCounters;

    const cli = (args: readonly string[], extra: EnvType = {}) =>
      runCli(args, { ...childEnv, ...extra });

    before(async () => {
      env = await freshEnv(backend, ['DogSchool', 'Vault', 'DogCounters', 'Registrations']);
      childEnv = { ...process.env, ...env };
      const school = new DogSchool({ env });
      fido = await school.registerDog('Fido');
      await school.addTrick(fido, 'roll over');
      await school.addTrick(fido, 'play dead');
      await school.registerDog('Milo'); // 4 notifications
      const vault = new DogSchool({
        name: 'Vault',
        env: { ...env, VAULT_CIPHER_KEY: key, VAULT_COMPRESSOR_TOPIC: 'zlib' },
      });
      rex = await vault.registerDog('Rex');
      await vault.close();
      const runner = new ProjectionRunner({ ...counters, env });
      await runner.wait(4, { timeout: 10_000 });
      await runner.stop();
      await school.registerDog('Bella'); // 5: the projection is 1 behind
      const follower = new Registrations({ env });
      follower.follow('DogSchool', school.notificationLog);
      await follower.pullAndProcess('DogSchool', { stop: 3 }); // 2 behind
      await follower.close();
      await school.close();
    });

    after(async () => {
      await backend.tearDown?.();
    });

    it('info: the tables with their counts, the last id, as a table and as JSON', async () => {
      const table = await cli(['info', '--app', 'DogSchool']);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^application {2}DogSchool$/m);
      assert.match(table.stdout, /^last id {6}5$/m);
      assert.match(table.stdout, /events_?\w* +5$/m);
      const [info] = jsonLines((await cli(['info', '--app', 'DogSchool', '--json'])).stdout);
      assert.equal(info?.application, 'DogSchool');
      assert.equal(info?.maxNotificationId, 5);
      const tables = info?.tables as { name: string; rows: number }[];
      const events = tables.find((t) => t.name === info?.eventsTable);
      assert.equal(events?.rows, 5);
    });

    it('events: decoded fields without the classes, the class with --import, raw bytes', async () => {
      const table = await cli(['events', fido, '--app', 'DogSchool']);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /VERSION +TOPIC +TIMESTAMP +FIELDS/);
      assert.match(table.stdout, /1 +cli-tests:Dog\.Registered .*"name":"Fido"/);
      assert.match(table.stdout, /3 +cli-tests:Dog\.TrickAdded .*\{"trick":"play dead"\}/);

      const plain = jsonLines((await cli(['events', fido, '--app', 'DogSchool', '--json'])).stdout);
      assert.deepEqual(
        plain.map((e) => [e.originatorVersion, e.topic, e.className, e.fields]),
        [
          [
            1,
            'cli-tests:Dog.Registered',
            null,
            { originator_topic: 'cli-tests:Dog', name: 'Fido' },
          ],
          [2, 'cli-tests:Dog.TrickAdded', null, { trick: 'roll over' }],
          [3, 'cli-tests:Dog.TrickAdded', null, { trick: 'play dead' }],
        ],
      );
      assert.match(String(plain[0]?.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const school = new DogSchool({ env });
      const stored = await school.recorder.selectEvents(fido);
      const domainEvents = stored.map((s) => school.mapper.toDomainEvent(s));
      await school.close();
      assert.equal(
        plain[1]?.timestamp,
        (domainEvents[1] as unknown as { timestamp: Date }).timestamp.toISOString(),
      );

      const imported = jsonLines(
        (
          await cli([
            'events',
            fido,
            '--app',
            'DogSchool',
            '--import',
            FIXTURES,
            '--version',
            '2',
            '--json',
          ])
        ).stdout,
      );
      assert.deepEqual(
        imported.map((e) => [e.className, e.fields]),
        [
          ['Registered', { originatorTopic: 'cli-tests:Dog', name: 'Fido' }],
          ['TrickAdded', { trick: 'roll over' }],
        ],
      );

      const raw = jsonLines(
        (await cli(['events', fido, '--app', 'DogSchool', '--raw', '--json'])).stdout,
      );
      assert.deepEqual(
        raw.map((e) => e.state),
        stored.map((s) => Buffer.from(s.state).toString('base64')),
      );

      const missing = await cli([
        'events',
        'b0b0b0b0-0000-4000-8000-000000000000',
        '--app',
        'DogSchool',
      ]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no events of 'b0b0b0b0-0000-4000-8000-000000000000'/);
    });

    it('events of an encrypted and compressed app: decoded with its key, a failure without', async () => {
      const withKey = jsonLines(
        (
          await cli(['events', rex, '--app', 'Vault', '--json'], {
            VAULT_CIPHER_KEY: key,
            VAULT_COMPRESSOR_TOPIC: 'zlib',
          })
        ).stdout,
      );
      assert.deepEqual(withKey[0]?.fields, { originator_topic: 'cli-tests:Dog', name: 'Rex' });
      const without = await cli(['events', rex, '--app', 'Vault', '--json']);
      assert.equal(without.code, 0, without.stderr);
      const [event] = jsonLines(without.stdout);
      assert.equal(event?.fields, null);
      assert.match(String(event?.error), /CIPHER_KEY/);
      const wrongKey = jsonLines(
        (
          await cli(['events', rex, '--app', 'Vault', '--json'], {
            VAULT_CIPHER_KEY: AESCipher.createKey(),
            VAULT_COMPRESSOR_TOPIC: 'zlib',
          })
        ).stdout,
      );
      assert.match(String(wrongKey[0]?.error), /cannot decrypt.*not the key/);
      const table = await cli(['events', rex, '--app', 'Vault']);
      assert.match(table.stdout, /\(not decoded: cannot decode the state: it is not JSON/);
    });

    it('log: a page of the notification log, filtered by topic, as a table and as JSON', async () => {
      const page = jsonLines(
        (await cli(['log', '--app', 'DogSchool', '--start', '2', '--limit', '2', '--json'])).stdout,
      );
      assert.deepEqual(
        page.map((e) => [e.id, e.originatorVersion, e.fields]),
        [
          [2, 2, { trick: 'roll over' }],
          [3, 3, { trick: 'play dead' }],
        ],
      );
      const tricks = jsonLines(
        (await cli(['log', '--app', 'DogSchool', '--topics', 'cli-tests:Dog.TrickAdded', '--json']))
          .stdout,
      );
      assert.deepEqual(
        tricks.map((e) => e.id),
        [2, 3],
      );
      const table = await cli(['log', '--app', 'DogSchool']);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^ID +ORIGINATOR ID +VERSION +TOPIC +TIMESTAMP +FIELDS$/);
      assert.equal(lines.length, 6);
      assert.match(lines[5]!, /^ 5 +[0-9a-f-]{36} +1 +cli-tests:Dog\.Registered .*"name":"Bella"/);
    });

    it('lag: each reader with its position, events behind and age; exit status over limits', async () => {
      const readers = ['--projection', 'DogCounters', '--follower', 'Registrations'];
      const json = await cli(['lag', '--app', 'DogSchool', ...readers, '--json']);
      assert.equal(json.code, 0, json.stderr);
      const rows = jsonLines(json.stdout);
      const byName = new Map(rows.map((row) => [row.name, row]));
      assert.deepEqual(
        ['DogCounters', 'Registrations'].map((name) => {
          const row = byName.get(name);
          return [row?.kind, row?.position, row?.head, row?.eventsBehind];
        }),
        [
          ['projection', 4, 5, 1],
          ['follower', 3, 5, 2],
        ],
      );
      assert.equal(rows.length, 2);
      assert.equal(typeof byName.get('DogCounters')?.ageSeconds, 'number');
      assert.match(String(byName.get('Registrations')?.oldestUnprocessedAt), /Z$/);

      const table = await cli(['lag', '--app', 'DogSchool', ...readers]);
      assert.match(
        table.stdout,
        /^NAME +KIND +POSITION +HEAD +BEHIND +AGE +OLDEST UNPROCESSED +WHERE$/m,
      );
      assert.match(table.stdout, /^DogCounters +projection +4 +5 +1 /m);

      const within = await cli([
        'lag',
        '--app',
        'DogSchool',
        ...readers,
        '--max-events',
        '2',
        '--max-age',
        '86400',
      ]);
      assert.equal(within.code, 0, within.stderr);
      const over = await cli(['lag', '--app', 'DogSchool', ...readers, '--max-events', '1']);
      assert.equal(over.code, 1);
      assert.match(over.stderr, /Registrations is 2 events behind \(--max-events 1\)/);
      assert.doesNotMatch(over.stderr, /DogCounters is/);
      const old = await cli(['lag', '--app', 'DogSchool', ...readers, '--max-age', '0']);
      assert.equal(old.code, 1);
      assert.match(old.stderr, /DogCounters's oldest unprocessed event is [\d.]+s old/);

      const looking = jsonLines((await cli(['lag', '--app', 'DogSchool', '--json'])).stdout);
      if (options.readersFoundByLooking) {
        assert.deepEqual(looking.map((row) => [row.name, row.kind, row.position]).sort(), [
          ['dogcounters', 'tracking', 4],
          ['registrations', 'tracking', 3],
        ]);
      } else {
        assert.deepEqual(looking, []);
        const none = await cli(['lag', '--app', 'DogSchool', '--max-events', '5']);
        assert.equal(none.code, 1);
        assert.match(none.stderr, /--projection <Name> or --follower <Name>/);
      }
    });

    it('tail: the last notifications; --follow prints one saved after it started, stops on SIGINT', async () => {
      const last = await cli(['tail', '--app', 'DogSchool', '--limit', '2']);
      assert.equal(last.code, 0, last.stderr);
      assert.deepEqual(
        last.stdout
          .trimEnd()
          .split('\n')
          .map((line) => line.split('  ')[0]),
        ['4', '5'],
      );
      // The last of a topic, however far back: not only those among the last --limit ids.
      const registered = jsonLines(
        (
          await cli([
            'tail',
            '--app',
            'DogSchool',
            '--limit',
            '3',
            '--topics',
            'cli-tests:Dog.Registered',
            '--json',
          ])
        ).stdout,
      );
      const allRegistered = jsonLines(
        (await cli(['log', '--app', 'DogSchool', '--topics', 'cli-tests:Dog.Registered', '--json']))
          .stdout,
      );
      assert.equal(allRegistered.length, 3, 'Fido, Milo and Bella (1, 4, 5)');
      assert.deepEqual(
        registered.map((e) => e.id),
        allRegistered.slice(-3).map((e) => e.id),
      );
      const after3 = jsonLines(
        (await cli(['tail', '--app', 'DogSchool', '--gt', '3', '--json'])).stdout,
      );
      assert.deepEqual(
        after3.map((e) => e.id),
        [4, 5],
      );

      const follow = new CliProcess(['tail', '--app', 'DogSchool', '--follow', '--json'], childEnv);
      try {
        await follow.waitFor(/"name":"Bella"/);
        const school = new DogSchool({ env });
        await school.registerDog('Luna');
        await school.close();
        await follow.waitFor(/"name":"Luna"/);
        follow.child.kill('SIGINT');
        assert.equal(await follow.exited, 0);
        const ids = jsonLines(follow.stdout).map((e) => e.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => Number(a) - Number(b)),
        );
        assert.equal(ids.at(-1), 6);
      } finally {
        follow.kill();
      }
    });

    it('rebuild: --dry-run changes nothing, no terminal without --yes refuses, --yes rebuilds', async () => {
      const reference = `${FIXTURES}#${options.countersExport}`;
      const before = await readView(counters, env);

      const dry = await cli(['rebuild', reference, '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /Rebuild DogCounters \(view \w+CountersView in .+\):/);
      assert.match(dry.stdout, /forgets its position in DogSchool \(now 4\)/);
      assert.match(dry.stdout, /Dry run: nothing was changed\./);
      assert.deepEqual(before, { dogs: 2, tricks: 2, position: 4 });
      assert.deepEqual(await readView(counters, env), before);

      const refused = await cli(['rebuild', reference]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /not rebuilt: .*pass --yes/);
      assert.deepEqual(await readView(counters, env), before);

      const rebuilt = await cli(['rebuild', reference, '--yes']);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      // stderr is a pipe: no progress bar, no carriage returns or escape sequences.
      assert.doesNotMatch(rebuilt.stderr, /Rebuilding|\r/);
      assert.ok(!rebuilt.stderr.includes(String.fromCharCode(0x1b)), rebuilt.stderr);
      assert.match(
        rebuilt.stdout,
        /Rebuilt DogCounters: processed DogSchool's notifications up to 6/,
      );
      assert.deepEqual(await readView(counters, env), { dogs: 4, tricks: 2, position: 6 });
    });
  });
}

/** The counters and the position of the DogCounters view, read through its own class. */
export async function readView(
  counters: typeof sqliteCounters | typeof postgresCounters,
  env: EnvType,
): Promise<{ dogs: number; tricks: number; position: number | null }> {
  await using factory = InfrastructureFactory.construct(
    new Environment('DogCounters', { ...process.env, ...env }),
  );
  const view = factory.trackingRecorder(counters.viewClass as never) as CountersView;
  return {
    dogs: await view.count('dogs'),
    tricks: await view.count('tricks'),
    position: await view.maxTrackingId('DogSchool'),
  };
}
