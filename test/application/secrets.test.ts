import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { format, inspect } from 'node:util';
import { Application } from '../../src/application/index.js';
import { AESCipher, InfrastructureFactoryError } from '../../src/persistence/index.js';
import { type PostgresFactory, parsePostgresSettings } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { redactUrl } from '../../src/utils/redact.js';
import { baseEnv, unavailable } from '../postgres/helpers.js';

const cipherKey = AESCipher.createKey();
const urlPassword = 'p@ss:w0rd@word';

/** Every way a program prints an object: inspect at any depth, console.log's %o and %O. */
function printed(value: unknown): string {
  return [
    inspect(value),
    inspect(value, { depth: Number.POSITIVE_INFINITY }),
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    format('%o %O %s', value, value, value),
  ].join('\n');
}

function assertHidden(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `printed text shows the secret ${JSON.stringify(secret)}`);
  }
}

class Bank extends Application {}

describe('secrets are not printed', () => {
  test('inspecting an in-memory application hides CIPHER_KEY and other secret keys', async () => {
    await using app = new Bank({
      env: {
        CIPHER_KEY: cipherKey,
        BANK_API_TOKEN: 'token-1234567',
        WEBHOOK_SECRET: 'hook-7654321',
        DATABASE_URL: `postgres://alice:${urlPassword}@db.example/bank`,
        OTHER: 'visible-value',
      },
    });
    const text = printed(app);
    assertHidden(text, [cipherKey, 'token-1234567', 'hook-7654321', 'w0rd', urlPassword]);
    assert.match(text, /\[redacted\]/);
    assert.match(text, /visible-value/, 'other variables are still shown');
    assert.match(text, /postgres:\/\/alice:\*\*\*@db\.example\/bank/);
    // The cipher is usable and shows no key either.
    assertHidden(printed(new AESCipher(new Environment('', { CIPHER_KEY: cipherKey }))), [
      cipherKey,
    ]);
  });

  test('an Environment shows its name and variables, with secrets redacted', () => {
    const env = new Environment('Bank', {
      BANK_POSTGRES_PASSWORD: 'pw-secret-1',
      POSTGRES_URL: `postgresql://bob:${urlPassword}@h:5432/d`,
      POSTGRES_HOST: 'h',
    });
    const text = printed(env);
    assertHidden(text, ['pw-secret-1', urlPassword, 'w0rd']);
    assert.match(text, /Bank/);
    assert.match(text, /POSTGRES_HOST: 'h'/);
    // Reading is unchanged.
    assert.equal(env.get('POSTGRES_PASSWORD'), 'pw-secret-1');
  });

  test('a subclass property named like a secret is redacted when the application is printed', async () => {
    class Payments extends Application {
      readonly apiKey = 'sk_live_abcdef';
    }
    await using app = new Payments();
    assertHidden(printed(app), ['sk_live_abcdef']);
  });

  test('inspecting a PostgreSQL application hides the password from the URL and from POSTGRES_PASSWORD', async () => {
    const env = {
      PERSISTENCE_MODULE: 'postgres',
      POSTGRES_URL: `postgres://postgres:${urlPassword}@127.0.0.1:5432/test`,
      POSTGRES_PASSWORD: 'real-password-987',
      CIPHER_KEY: cipherKey,
    };
    await using app = new Bank({ env });
    const text = printed(app);
    assertHidden(text, [cipherKey, urlPassword, 'w0rd', 'real-password-987']);
    const factory = app.factory as PostgresFactory;
    assert.equal(factory.settings.password, 'real-password-987', 'the settings keep the value');
    assertHidden(printed(factory), ['real-password-987']);
    assertHidden(printed(factory.datastore), ['real-password-987']);
  });

  test('a connected PostgreSQL application hides the password held by its pool', {
    skip: process.env.CI === 'true' ? false : (unavailable ?? false),
  }, async () => {
    await using app = new Bank({ env: { ...baseEnv, PERSISTENCE_MODULE: 'postgres' } });
    await app.recorder.maxNotificationId();
    const text = printed(app);
    assert.ok(baseEnv.POSTGRES_PASSWORD.length > 0);
    assert.ok(!text.includes(`password: '${baseEnv.POSTGRES_PASSWORD}'`), 'pool options shown');
  });
});

describe('errors about a connection URL', () => {
  const parse = (url: string) => parsePostgresSettings(new Environment('', { POSTGRES_URL: url }));

  test('a password holding @ is hidden whole in the error of a bad sslmode', () => {
    const url = `postgres://alice:${urlPassword}@db.example/bank?sslmode=sometimes`;
    assert.throws(
      () => parse(url),
      (error: unknown) => {
        assert.ok(error instanceof InfrastructureFactoryError);
        assert.match(error.message, /sslmode 'sometimes'/);
        assertHidden(error.message, [urlPassword, 'ss:w0rd', 'w0rd', '@word']);
        assert.match(error.message, /postgres:\/\/alice:\*\*\*@db\.example\/bank/);
        return true;
      },
    );
  });

  test('a value that is not a URL is not printed past its last @', () => {
    for (const value of [`alice:${urlPassword}@db.example`, `postgres://alice:${urlPassword}@`]) {
      assert.throws(
        () => parse(value),
        (error: unknown) => {
          assert.ok(error instanceof InfrastructureFactoryError, String(error));
          assertHidden(error.message, [urlPassword, 'w0rd']);
          return true;
        },
      );
    }
  });

  test('a password with a bad percent escape is a clear error that does not print it', () => {
    assert.throws(
      () => parse('postgres://alice:100%zz-secret@db.example/bank'),
      (error: unknown) => {
        assert.ok(error instanceof InfrastructureFactoryError, String(error));
        assert.match(error.message, /percent-encode/);
        assertHidden(error.message, ['zz-secret']);
        return true;
      },
    );
  });

  test('redactUrl hides the whole user info password and keeps the rest', () => {
    assert.equal(
      redactUrl(`postgres://alice:${urlPassword}@db.example:5432/bank?sslmode=require`),
      'postgres://alice:***@db.example:5432/bank?sslmode=require',
    );
    assert.equal(redactUrl('postgres://alice@db.example/bank'), 'postgres://alice@db.example/bank');
    assert.equal(redactUrl('postgres://db.example/bank'), 'postgres://db.example/bank');
  });
});
