// The factory's recorder methods on every backend: a user's view class made on the factory's
// database, the classes the *_RECORDER_TOPIC keys name, wrong classes refused, dcbRecorder(),
// and close() closing whatever the methods made.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerTopic } from '../../src/domain/topics.js';
import {
  MemoryApplicationRecorder,
  MemoryFactory,
  MemoryProcessRecorder,
  MemoryTrackingRecorder,
} from '../../src/memory/index.js';
import { InfrastructureFactoryError } from '../../src/persistence/errors.js';
import type {
  InfrastructureFactory,
  RecorderClass,
} from '../../src/persistence/infrastructure-factory.js';
import type {
  ApplicationRecorder,
  ProcessRecorder,
  TrackingRecorder,
} from '../../src/persistence/recorders.js';
import {
  PostgresApplicationRecorder,
  PostgresFactory,
  PostgresProcessRecorder,
  PostgresTrackingRecorder,
} from '../../src/postgres/index.js';
import {
  SQLiteApplicationRecorder,
  SQLiteFactory,
  SQLiteProcessRecorder,
  SQLiteTrackingRecorder,
} from '../../src/sqlite/index.js';
import { Environment, type EnvType } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

class MemoryView extends MemoryTrackingRecorder {}
class MemoryApp extends MemoryApplicationRecorder {}
class MemoryProcess extends MemoryProcessRecorder {}
class SQLiteView extends SQLiteTrackingRecorder {}
class SQLiteApp extends SQLiteApplicationRecorder {}
class SQLiteProcess extends SQLiteProcessRecorder {}
class PostgresView extends PostgresTrackingRecorder {}
class PostgresApp extends PostgresApplicationRecorder {}
class PostgresProcess extends PostgresProcessRecorder {}
for (const cls of [
  MemoryView,
  MemoryApp,
  MemoryProcess,
  SQLiteView,
  SQLiteApp,
  SQLiteProcess,
  PostgresView,
  PostgresApp,
  PostgresProcess,
]) {
  registerTopic(`factory-recorder-classes:${cls.name}`, cls);
}
const topic = (cls: { name: string }): string => `factory-recorder-classes:${cls.name}`;

interface Backend {
  name: string;
  make(vars?: EnvType): InfrastructureFactory;
  cleanUp(): Promise<void>;
  view: RecorderClass<TrackingRecorder>;
  app: RecorderClass<ApplicationRecorder>;
  process: RecorderClass<ProcessRecorder>;
  foreignView: RecorderClass<TrackingRecorder>;
}

function recorderClassTests(backend: Backend): void {
  describe(`${backend.name} factory recorder classes`, () => {
    it('makes a view class on its own database and closes it with the factory', async () => {
      const factory = backend.make();
      try {
        const view = factory.trackingRecorder(backend.view);
        assert.ok(view instanceof backend.view);
        await view.insertTracking({ applicationName: 'Upstream', notificationId: 3 });
        assert.equal(await view.maxTrackingId('Upstream'), 3);
        await factory.close();
        // A closed recorder's waits end at once instead of running to their timeout.
        await assert.rejects(view.wait('Upstream', 4, { timeout: 60_000 }));
      } finally {
        await factory.close();
        await backend.cleanUp();
      }
    });

    it('refuses a view class written for another backend, saying which class to extend', () => {
      const factory = backend.make();
      assert.throws(
        () => factory.trackingRecorder(backend.foreignView),
        (error: unknown) => {
          assert.ok(error instanceof InfrastructureFactoryError);
          assert.match(error.message, new RegExp(`${backend.foreignView.name} does not extend`));
          return true;
        },
      );
    });

    it('makes the classes that the recorder topic keys name', async () => {
      const factory = backend.make({
        APPLICATION_RECORDER_TOPIC: topic(backend.app),
        TRACKING_RECORDER_TOPIC: topic(backend.view),
        PROCESS_RECORDER_TOPIC: topic(backend.process),
      });
      try {
        assert.ok(factory.applicationRecorder() instanceof backend.app);
        assert.ok(factory.trackingRecorder() instanceof backend.view);
        assert.ok(factory.processRecorder() instanceof backend.process);
      } finally {
        await factory.close();
        await backend.cleanUp();
      }
    });

    it('refuses a recorder topic that names a class of another kind', () => {
      const factory = backend.make({ PROCESS_RECORDER_TOPIC: topic(backend.view) });
      assert.throws(() => factory.processRecorder(), InfrastructureFactoryError);
    });

    it('makes DCB recorders of its database: one sees what another appended', async () => {
      const factory = backend.make();
      try {
        const first = factory.dcbRecorder();
        await first.append([{ type: 'Noted', data: Uint8Array.of(1), tags: ['t'] }]);
        const { events, head } = await factory.dcbRecorder().read();
        assert.deepEqual([events.length, head], [1, 1]);
      } finally {
        await factory.close();
        await backend.cleanUp();
      }
    });
  });
}

recorderClassTests({
  name: 'memory',
  make: (vars = {}) => new MemoryFactory(new Environment('', vars)),
  cleanUp: async () => {},
  view: MemoryView,
  app: MemoryApp,
  process: MemoryProcess,
  foreignView: SQLiteView,
});

recorderClassTests({
  name: 'SQLite',
  make: (vars = {}) =>
    new SQLiteFactory(new Environment('', { SQLITE_DBNAME: tempDbPath(), ...vars })),
  cleanUp: async () => {},
  view: SQLiteView,
  app: SQLiteApp,
  process: SQLiteProcess,
  foreignView: MemoryView,
});

whenPostgres(() => {
  const name = `RecorderClasses${process.pid}`;
  recorderClassTests({
    name: 'PostgreSQL',
    make: (vars = {}) => new PostgresFactory(new Environment(name, { ...baseEnv, ...vars })),
    cleanUp: () => dropPrefix(name),
    view: PostgresView,
    app: PostgresApp,
    process: PostgresProcess,
    foreignView: SQLiteView,
  });
});

describe('memory factory recorders', () => {
  it('gives each view its own tracking records, apart from the process recorder', async () => {
    const factory = new MemoryFactory(new Environment());
    await factory.trackingRecorder(MemoryView).insertTracking({
      applicationName: 'Upstream',
      notificationId: 1,
    });
    assert.equal(await factory.trackingRecorder(MemoryView).maxTrackingId('Upstream'), null);
    assert.equal(await factory.processRecorder().maxTrackingId('Upstream'), null);
    assert.equal(factory.applicationRecorder(), factory.processRecorder());
  });
});
