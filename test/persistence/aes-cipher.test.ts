import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import { DataError, InfrastructureFactoryError } from '../../src/persistence/errors.js';
import { Environment } from '../../src/utils/environment.js';

const cipherWith = (key: string): AESCipher =>
  new AESCipher(new Environment('', { CIPHER_KEY: key }));
const plaintext = new Uint8Array(Buffer.from('{"name":"Fido"}'));

describe('AESCipher', () => {
  for (const size of [16, 24, 32]) {
    it(`round-trips with a ${size}-byte key; output is nonce ‖ tag ‖ ciphertext`, () => {
      const key = AESCipher.createKey(size);
      assert.equal(Buffer.from(key, 'base64').length, size);
      const cipher = cipherWith(key);
      const encrypted = cipher.encrypt(plaintext);
      assert.equal(encrypted.length, 28 + plaintext.length);
      assert.notDeepEqual(Buffer.from(encrypted.subarray(28)), Buffer.from(plaintext));
      assert.deepEqual(Buffer.from(cipher.decrypt(encrypted)), Buffer.from(plaintext));
      // A fresh nonce each time.
      assert.notDeepEqual(Buffer.from(cipher.encrypt(plaintext)), Buffer.from(encrypted));
    });
  }

  it('round-trips empty plaintext', () => {
    const cipher = cipherWith(AESCipher.createKey());
    const encrypted = cipher.encrypt(new Uint8Array(0));
    assert.equal(encrypted.length, 28);
    assert.equal(cipher.decrypt(encrypted).length, 0);
  });

  it('creates 32-byte keys by default and rejects other sizes', () => {
    assert.equal(Buffer.from(AESCipher.createKey(), 'base64').length, 32);
    assert.throws(() => AESCipher.createKey(20), /Invalid key size/);
  });

  it('reads the key scoped to the application', () => {
    const key = AESCipher.createKey();
    const env = new Environment('MyApp', { MYAPP_CIPHER_KEY: key, CIPHER_KEY: 'not base64!' });
    const cipher = new AESCipher(env);
    assert.deepEqual(
      Buffer.from(cipher.decrypt(cipherWith(key).encrypt(plaintext))),
      Buffer.from(plaintext),
    );
  });

  it('rejects a missing, malformed or wrongly sized key', () => {
    assert.throws(
      () => new AESCipher(new Environment()),
      (error: unknown) => {
        assert.ok(error instanceof InfrastructureFactoryError);
        assert.match(error.message, /'CIPHER_KEY' not in env/);
        return true;
      },
    );
    assert.throws(() => cipherWith('%%%'), /not valid base64/);
    assert.throws(
      () => cipherWith(Buffer.alloc(20).toString('base64')),
      /Invalid key size.*20 bytes/,
    );
  });

  it('rejects damaged ciphertext', () => {
    const cipher = cipherWith(AESCipher.createKey());
    const encrypted = cipher.encrypt(plaintext);
    const flipped = new Uint8Array(encrypted);
    flipped[30] = (flipped[30] ?? 0) ^ 1;
    assert.throws(
      () => cipher.decrypt(flipped),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.match(error.message, /Damaged cipher text: invalid tag/);
        return true;
      },
    );
    assert.throws(() => cipher.decrypt(encrypted.subarray(0, 5)), /invalid nonce length/);
    assert.throws(() => cipher.decrypt(encrypted.subarray(0, 20)), /invalid tag length/);
  });

  it('rejects ciphertext made with another key', () => {
    const encrypted = cipherWith(AESCipher.createKey()).encrypt(plaintext);
    assert.throws(
      () => cipherWith(AESCipher.createKey()).decrypt(encrypted),
      /invalid tag.*another key/,
    );
  });
});
