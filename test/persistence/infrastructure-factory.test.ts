import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { registerTopic } from '../../src/domain/topics.js';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import type { Cipher } from '../../src/persistence/cipher.js';
import type { Compressor } from '../../src/persistence/compressor.js';
import { InfrastructureFactoryError } from '../../src/persistence/errors.js';
import { EventStore } from '../../src/persistence/event-store.js';
import {
  InfrastructureFactory,
  type InfrastructureFactoryClass,
  registerPersistenceModule,
} from '../../src/persistence/infrastructure-factory.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';
import { Mapper } from '../../src/persistence/mapper.js';
import { ZlibCompressor } from '../../src/persistence/zlib-compressor.js';
import { Environment } from '../../src/utils/environment.js';
import { FakeFactory } from './fixtures/fake-factory.js';
import type { FakeRecorder } from './fixtures/fake-recorder.js';

class OtherFactory extends FakeFactory {}
registerPersistenceModule('fake', FakeFactory);
registerPersistenceModule('other', OtherFactory);
registerPersistenceModule('memory', FakeFactory);

class XorCipher implements Cipher {
  constructor(readonly env: Environment) {}
  encrypt(data: Uint8Array): Uint8Array {
    return data.map((b) => b ^ 1);
  }
  decrypt(data: Uint8Array): Uint8Array {
    return data.map((b) => b ^ 1);
  }
}
registerTopic('tests:XorCipher', XorCipher);

class IdentityCompressor implements Compressor {
  compress(data: Uint8Array): Uint8Array {
    return data;
  }
  decompress(data: Uint8Array): Uint8Array {
    return data;
  }
}
registerTopic('tests:IdentityCompressor', IdentityCompressor);
registerTopic('tests:compressorObject', {
  compress: (d: Uint8Array) => d,
  decompress: (d: Uint8Array) => d,
});
registerTopic('tests:notACompressor', { compress: 1 });

class CustomTranscoder extends JSONTranscoder {}
registerTopic('tests:CustomTranscoder', CustomTranscoder);
class CustomMapper extends Mapper {}
registerTopic('tests:CustomMapper', CustomMapper);

const construct = (vars: Record<string, string>, name = ''): InfrastructureFactory =>
  InfrastructureFactory.construct(new Environment(name, vars));

describe('InfrastructureFactory.construct', () => {
  it('makes the factory named by PERSISTENCE_MODULE from a plain record', () => {
    const factory = InfrastructureFactory.construct({ PERSISTENCE_MODULE: 'other' });
    assert.ok(factory instanceof OtherFactory);
    assert.equal(factory.env.get('PERSISTENCE_MODULE'), 'other');
    assert.equal(factory.env.name, '');
  });

  it('defaults to memory', () => {
    assert.equal(InfrastructureFactory.construct({}).constructor, FakeFactory);
  });

  it('prefers the APPNAME_-scoped key', () => {
    const factory = construct(
      { MYAPP_PERSISTENCE_MODULE: 'other', PERSISTENCE_MODULE: 'fake' },
      'MyApp',
    );
    assert.ok(factory instanceof OtherFactory);
    assert.equal(factory.env.name, 'MyApp');
    assert.equal(
      construct({ MYAPP_PERSISTENCE_MODULE: 'other', PERSISTENCE_MODULE: 'fake' }, 'Else')
        .constructor,
      FakeFactory,
    );
  });

  it('reads the legacy keys, and Python factory topics of registered modules', () => {
    assert.ok(construct({ INFRASTRUCTURE_FACTORY: 'other' }) instanceof OtherFactory);
    assert.ok(construct({ FACTORY_TOPIC: 'other' }) instanceof OtherFactory);
    assert.ok(
      construct({ PERSISTENCE_MODULE: 'other', FACTORY_TOPIC: 'fake' }) instanceof OtherFactory,
    );
    assert.ok(construct({ INFRASTRUCTURE_FACTORY: 'other:Factory' }) instanceof OtherFactory);
  });

  it('makes the subclass it is called on', () => {
    assert.ok(OtherFactory.construct({ PERSISTENCE_MODULE: 'fake' }) instanceof OtherFactory);
  });

  it('rejects an unknown module, naming the value, the key, the async way and the built-in names', () => {
    assert.throws(
      () => construct({ MYAPP_PERSISTENCE_MODULE: 'eventsourcing-dynamodb' }, 'MyApp'),
      (error: unknown) => {
        assert.ok(error instanceof InfrastructureFactoryError);
        assert.match(error.message, /'eventsourcing-dynamodb'/);
        assert.match(error.message, /'MYAPP_PERSISTENCE_MODULE'/);
        assert.match(error.message, /await App\.create/);
        assert.match(error.message, /InfrastructureFactory\.constructAsync/);
        assert.match(error.message, /'fake', 'memory', 'other'/);
        return true;
      },
    );
  });

  it('rejects something that is not an environment', () => {
    assert.throws(() => InfrastructureFactory.construct('memory' as never), TypeError);
    assert.throws(() => new FakeFactory({} as never), /needs an Environment/);
  });
});

describe('InfrastructureFactory.constructAsync', () => {
  // A package installed for these tests, whose entry points re-export the fixture modules.
  const packageName = 'eventsourcing-test-factory-modules';
  const packageDir = fileURLToPath(new URL(`../../node_modules/${packageName}/`, import.meta.url));
  const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).href;
  before(() => {
    mkdirSync(packageDir, { recursive: true });
    writeFileSync(
      join(packageDir, 'package.json'),
      JSON.stringify({
        name: packageName,
        type: 'module',
        exports: { '.': './single.js', './two': './two.js' },
      }),
    );
    writeFileSync(
      join(packageDir, 'single.js'),
      `export * from '${fixture('single-factory-module.ts')}';\n`,
    );
    writeFileSync(
      join(packageDir, 'two.js'),
      `export * from '${fixture('two-factories-module.ts')}';\n`,
    );
  });
  after(() => rmSync(packageDir, { recursive: true, force: true }));

  it('uses the registry first', async () => {
    assert.ok(
      (await InfrastructureFactory.constructAsync({ PERSISTENCE_MODULE: 'other' })) instanceof
        OtherFactory,
    );
  });

  it('imports a package and uses its one factory export', async () => {
    const factory = await InfrastructureFactory.constructAsync({
      PERSISTENCE_MODULE: packageName,
    });
    assert.equal(factory.constructor.name, 'SingleFactory');
  });

  it('imports the export a package specifier names after a colon', async () => {
    const factory = await InfrastructureFactory.constructAsync({
      PERSISTENCE_MODULE: `${packageName}/two:SecondFactory`,
    });
    assert.equal(factory.constructor.name, 'SecondFactory');
  });

  it('rejects a package with several factories', async () => {
    await assert.rejects(
      InfrastructureFactory.constructAsync({ PERSISTENCE_MODULE: `${packageName}/two` }),
      /Found 2 infrastructure factory classes in .*\/two.*expected 1/,
    );
  });

  it('says which package to install when the import fails', async () => {
    await assert.rejects(
      InfrastructureFactory.constructAsync({ PERSISTENCE_MODULE: '@nobody/no-such-module/sub' }),
      (error: unknown) => {
        assert.ok(error instanceof InfrastructureFactoryError);
        assert.match(error.message, /npm install @nobody\/no-such-module'/);
        assert.match(error.message, /'PERSISTENCE_MODULE'/);
        assert.ok(error.cause instanceof Error);
        return true;
      },
    );
  });

  it('rejects a named export that is not a factory', async () => {
    await assert.rejects(
      InfrastructureFactory.constructAsync({ PERSISTENCE_MODULE: `${packageName}:notAFactory` }),
      /no export 'notAFactory' that is a subclass of InfrastructureFactory/,
    );
  });

  it('never imports paths, URLs or Node built-ins named by PERSISTENCE_MODULE', async () => {
    const marker = join(packageDir, 'ran.txt');
    const code = `import{writeFileSync}from'node:fs';writeFileSync(${JSON.stringify(marker)},'x');`;
    for (const value of [
      fixture('single-factory-module.ts'),
      fileURLToPath(fixture('single-factory-module.ts')),
      './test/persistence/fixtures/single-factory-module.ts',
      `data:text/javascript,${encodeURIComponent(code)}`,
      'node:fs',
      'node:path:join',
      'C:\\factories\\mine.js',
      `${packageName}/../${packageName}`,
      `${packageName}:not-an-identifier`,
    ]) {
      await assert.rejects(
        InfrastructureFactory.constructAsync({ PERSISTENCE_MODULE: value }),
        (error: unknown) => {
          assert.ok(error instanceof InfrastructureFactoryError, value);
          assert.match(error.message, /neither a built-in module .* nor a package name/);
          assert.match(error.message, /registerPersistenceModule/);
          return true;
        },
      );
    }
    assert.equal(existsSync(marker), false, 'the data: URL must not have run');
  });
});

describe('InfrastructureFactory components', () => {
  it('makes a JSONTranscoder, a Mapper without cipher or compressor, and event stores by default', () => {
    const factory = construct({});
    assert.ok(factory.transcoder() instanceof JSONTranscoder);
    const mapper = factory.mapper();
    assert.equal(mapper.constructor, Mapper);
    assert.equal(mapper.cipher, null);
    assert.equal(mapper.compressor, null);
    const recorder = factory.applicationRecorder();
    const store = factory.eventStore(mapper, recorder);
    assert.ok(store instanceof EventStore);
    assert.equal(store.recorder, recorder);
  });

  it('uses the transcoder given to mapper()', () => {
    const transcoder = new JSONTranscoder();
    assert.equal(construct({}).mapper(transcoder).transcoder, transcoder);
  });

  it('selects registered transcoder and mapper classes', () => {
    const factory = construct({
      TRANSCODER_TOPIC: 'tests:CustomTranscoder',
      MAPPER_TOPIC: 'tests:CustomMapper',
    });
    const mapper = factory.mapper();
    assert.ok(mapper instanceof CustomMapper);
    assert.ok(mapper.transcoder instanceof CustomTranscoder);
  });

  it('makes an AESCipher when only CIPHER_KEY is set', () => {
    const key = AESCipher.createKey(16);
    assert.ok(construct({ CIPHER_KEY: key }).cipher() instanceof AESCipher);
    assert.ok(
      construct({
        CIPHER_KEY: key,
        CIPHER_TOPIC: 'eventsourcing.cipher:AESCipher',
      }).cipher() instanceof AESCipher,
    );
    assert.equal(construct({}).cipher(), null);
    const mapper = construct({ MYAPP_CIPHER_KEY: key }, 'MyApp').mapper();
    assert.ok(mapper.cipher instanceof AESCipher);
  });

  it('makes the cipher CIPHER_TOPIC names, with the environment', () => {
    const cipher = construct({ CIPHER_TOPIC: 'tests:XorCipher', CIPHER_KEY: 'k' }).cipher();
    assert.ok(cipher instanceof XorCipher);
    assert.equal(cipher.env.get('CIPHER_KEY'), 'k');
  });

  it('rejects a cipher topic without a key, and an unresolvable topic', () => {
    assert.throws(
      () => construct({ CIPHER_TOPIC: 'tests:XorCipher' }).cipher(),
      /CIPHER_KEY' is not/,
    );
    assert.throws(
      () => construct({ CIPHER_TOPIC: 'nowhere:Cipher', CIPHER_KEY: 'k' }).cipher(),
      (error: unknown) => {
        assert.ok(error instanceof InfrastructureFactoryError);
        assert.match(
          error.message,
          /'nowhere:Cipher' from environment variable 'CIPHER_TOPIC'.*registerTopic/,
        );
        return true;
      },
    );
    assert.throws(() => construct({ CIPHER_KEY: 'short' }).cipher(), InfrastructureFactoryError);
  });

  it('selects compressors from COMPRESSOR_TOPIC', () => {
    assert.equal(construct({}).compressor(), null);
    assert.ok(construct({ COMPRESSOR_TOPIC: 'zlib' }).compressor() instanceof ZlibCompressor);
    assert.ok(
      construct({
        COMPRESSOR_TOPIC: 'eventsourcing.compressor:ZlibCompressor',
      }).compressor() instanceof ZlibCompressor,
    );
    assert.ok(
      construct({ COMPRESSOR_TOPIC: 'tests:IdentityCompressor' }).compressor() instanceof
        IdentityCompressor,
    );
    assert.equal(
      typeof construct({ COMPRESSOR_TOPIC: 'tests:compressorObject' }).compressor()?.compress,
      'function',
    );
    assert.throws(
      () => construct({ COMPRESSOR_TOPIC: 'tests:notACompressor' }).compressor(),
      /not a compressor/,
    );
    assert.ok(
      construct({ APP_COMPRESSOR_TOPIC: 'zlib' }, 'app').mapper().compressor instanceof
        ZlibCompressor,
    );
  });

  it('reads IS_SNAPSHOTTING_ENABLED with strtobool, default false', () => {
    assert.equal(construct({}).isSnapshottingEnabled(), false);
    assert.equal(construct({ IS_SNAPSHOTTING_ENABLED: 'yes' }).isSnapshottingEnabled(), true);
    assert.equal(
      construct(
        { IS_SNAPSHOTTING_ENABLED: 'y', APP_IS_SNAPSHOTTING_ENABLED: 'off' },
        'App',
      ).isSnapshottingEnabled(),
      false,
    );
    assert.throws(
      () => construct({ IS_SNAPSHOTTING_ENABLED: 'maybe' }).isSnapshottingEnabled(),
      /IS_SNAPSHOTTING_ENABLED/,
    );
  });
});

describe('InfrastructureFactory.close', () => {
  let factory: FakeFactory;
  afterEach(() => factory.close());

  it('closes every recorder it made, once, and is idempotent', async () => {
    factory = construct({}) as FakeFactory;
    factory.aggregateRecorder();
    factory.aggregateRecorder('snapshots');
    factory.applicationRecorder();
    assert.equal(factory.made.length, 3);
    await factory.close();
    assert.deepEqual(
      factory.made.map((r: FakeRecorder) => r.closed),
      [1, 1, 1],
    );
    await factory.close();
    assert.deepEqual(
      factory.made.map((r: FakeRecorder) => r.closed),
      [1, 1, 1],
    );
  });

  it('works with await using', async () => {
    let made: FakeRecorder[] = [];
    {
      await using f = construct({}) as FakeFactory;
      f.applicationRecorder();
      made = f.made;
      factory = f;
    }
    assert.equal(made[0]?.closed, 1);
  });
});

describe('registerPersistenceModule', () => {
  it('rejects an empty name or a class that is not a factory', () => {
    assert.throws(() => registerPersistenceModule('', FakeFactory), TypeError);
    assert.throws(
      () => registerPersistenceModule('x', Map as unknown as InfrastructureFactoryClass),
      /not a subclass/,
    );
  });
});

describe('InfrastructureFactory compressor bound', () => {
  it('reads COMPRESSOR_MAX_OUTPUT_SIZE for the zlib compressor', () => {
    const bounded = construct({ COMPRESSOR_TOPIC: 'zlib', COMPRESSOR_MAX_OUTPUT_SIZE: '1000' });
    const compressor = bounded.compressor();
    assert.ok(compressor instanceof ZlibCompressor);
    assert.equal(compressor.maxOutputSize, 1000);
    const big = compressor.compress(new Uint8Array(5000));
    assert.throws(() => compressor.decompress(big), /1000/);
    assert.throws(
      () =>
        construct({ COMPRESSOR_TOPIC: 'zlib', COMPRESSOR_MAX_OUTPUT_SIZE: 'lots' }).compressor(),
      InfrastructureFactoryError,
    );
  });
});
