import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as persistence from '../../src/persistence/index.js';

describe('eventsourcing/persistence', () => {
  it('registers no backend by itself, and says what to import', () => {
    // The persistence layer never imports the backends; the application layer registers them.
    assert.throws(
      () => persistence.InfrastructureFactory.construct({}),
      (error: unknown) => {
        assert.ok(error instanceof persistence.InfrastructureFactoryError);
        assert.match(error.message, /Persistence module 'memory' is not a built-in module/);
        assert.match(error.message, /import 'eventsourcing' or 'eventsourcing\/application'/);
        return true;
      },
    );
  });

  it('resolves the built-in modules once the registration module is imported', async () => {
    await import('../../src/register-persistence-modules.js');
    for (const name of ['memory', 'popo', 'eventsourcing.popo', 'eventsourcing.dcb.popo']) {
      const factory = persistence.InfrastructureFactory.construct({ PERSISTENCE_MODULE: name });
      assert.equal(factory.constructor.name, 'MemoryFactory');
      await factory.close();
    }
    await using factory = persistence.InfrastructureFactory.construct({});
    assert.equal(factory.constructor.name, 'MemoryFactory');
    // Python's DCB module on PostgreSQL names the PostgreSQL factory (constructing does no I/O).
    const postgres = persistence.InfrastructureFactory.construct({
      PERSISTENCE_MODULE: 'eventsourcing.dcb.postgres_tt',
      POSTGRES_DBNAME: 'test',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: '',
    });
    assert.equal(postgres.constructor.name, 'PostgresFactory');
    await postgres.close();
  });

  it('stores and reads events end to end with the default factory, compressed and encrypted', async () => {
    await import('../../src/register-persistence-modules.js');
    class Noted {
      declare readonly originatorId: string;
      declare readonly originatorVersion: number;
      declare readonly at: Date;
      declare readonly tags: Set<string>;
    }
    const env = new persistence.Environment('Notes', {
      NOTES_CIPHER_KEY: persistence.AESCipher.createKey(),
      COMPRESSOR_TOPIC: 'zlib',
    });
    await using factory = persistence.InfrastructureFactory.construct(env);
    const store = factory.eventStore(factory.mapper(), factory.applicationRecorder());
    const id = '11111111-2222-4333-8444-555555555555';
    const event = Object.assign(Object.create(Noted.prototype) as Noted, {
      originatorId: id,
      originatorVersion: 1,
      at: new Date(0),
      tags: new Set(['a']),
    });
    const [recording] = await store.put([event]);
    assert.equal(recording?.notification.id, 1);
    const [read] = await store.get<Noted>(id);
    assert.ok(read instanceof Noted);
    assert.deepEqual(read.tags, new Set(['a']));
    assert.equal(read.at.getTime(), 0);
  });

  it('exports the everyday names', () => {
    for (const name of [
      'JSONTranscoder',
      'Mapper',
      'EventStore',
      'Recording',
      'AESCipher',
      'ZlibCompressor',
      'InfrastructureFactory',
      'registerPersistenceModule',
      'retry',
      'strtobool',
      'Environment',
      'IntegrityError',
      'TranscodingNotRegisteredError',
      'MapperDeserialisationError',
    ]) {
      assert.equal(typeof (persistence as Record<string, unknown>)[name], 'function', name);
    }
  });
});
