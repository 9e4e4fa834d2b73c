import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Environment } from '../utils/environment.js';
import type { Cipher } from './cipher.js';
import { DataError, InfrastructureFactoryError } from './errors.js';

const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_SIZES = [16, 24, 32];
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

type GcmAlgorithm = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';

function checkKeySize(numBytes: number): void {
  if (!KEY_SIZES.includes(numBytes)) {
    throw new RangeError(
      `Invalid key size: ${numBytes} bytes. Use 16, 24 or 32 bytes (AES-128, -192 or -256).`,
    );
  }
}

/**
 * AES in GCM mode (authenticated encryption) from `node:crypto`, with the Python library's wire
 * format `nonce(12) ‖ tag(16) ‖ ciphertext`, so each side decrypts what the other wrote. The key
 * is `CIPHER_KEY`, the base64 of 16, 24 or 32 bytes (AES-128, -192, -256); make one with
 * `AESCipher.createKey()`.
 */
export class AESCipher implements Cipher {
  /** The environment key that holds the base64 key. */
  static readonly CIPHER_KEY = 'CIPHER_KEY';

  // ECMAScript #private, unlike TypeScript's `private` used elsewhere: the key must not show in
  // JSON.stringify, Object.keys or a structured clone of an application's infrastructure.
  readonly #key: Buffer;
  readonly #algorithm: GcmAlgorithm;

  /** Reads `CIPHER_KEY` from `env`; a missing or malformed key is an `InfrastructureFactoryError`. */
  constructor(env: Environment) {
    const encoded = env.get(AESCipher.CIPHER_KEY);
    if (!encoded) {
      throw new InfrastructureFactoryError(
        `'${AESCipher.CIPHER_KEY}' not in env: set it to a key made by AESCipher.createKey() ` +
          '(the base64 of 16, 24 or 32 random bytes).',
      );
    }
    const trimmed = encoded.trim();
    if (!BASE64.test(trimmed)) {
      throw new InfrastructureFactoryError(
        `'${AESCipher.CIPHER_KEY}' is not valid base64: use a key made by AESCipher.createKey().`,
      );
    }
    const key = Buffer.from(trimmed, 'base64');
    if (!KEY_SIZES.includes(key.length)) {
      throw new InfrastructureFactoryError(
        `Invalid key size: '${AESCipher.CIPHER_KEY}' decodes to ${key.length} bytes; AES needs ` +
          '16, 24 or 32 bytes. Use a key made by AESCipher.createKey().',
      );
    }
    this.#key = key;
    this.#algorithm = `aes-${key.length * 8}-gcm` as GcmAlgorithm;
  }

  /** How `util.inspect` and `console.log` show it: the algorithm, never the key. */
  [inspect.custom](): string {
    return `AESCipher { algorithm: '${this.#algorithm}', key: [redacted] }`;
  }

  /** A new random key of `numBytes` (16, 24 or 32) bytes, base64-encoded for `CIPHER_KEY`. */
  static createKey(numBytes = 32): string {
    checkKeySize(numBytes);
    return randomBytes(numBytes).toString('base64');
  }

  /** Encrypts with a fresh random nonce; returns `nonce ‖ tag ‖ ciphertext`. */
  encrypt(plaintext: Uint8Array): Uint8Array {
    const nonce = randomBytes(NONCE_LENGTH);
    const cipher = createCipheriv(this.#algorithm, this.#key, nonce);
    const head = cipher.update(plaintext);
    const tail = cipher.final();
    const tag = cipher.getAuthTag();
    return Buffer.concat(
      [nonce, tag, head, tail],
      NONCE_LENGTH + TAG_LENGTH + head.length + tail.length,
    );
  }

  /** Checks the tag and decrypts; damaged data or another key is a `DataError`. */
  decrypt(ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length < NONCE_LENGTH) {
      throw new DataError('Damaged cipher text: invalid nonce length');
    }
    if (ciphertext.length < NONCE_LENGTH + TAG_LENGTH) {
      throw new DataError('Damaged cipher text: invalid tag length');
    }
    const bytes = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
    const decipher = createDecipheriv(this.#algorithm, this.#key, bytes.subarray(0, NONCE_LENGTH), {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAuthTag(bytes.subarray(NONCE_LENGTH, NONCE_LENGTH + TAG_LENGTH));
    const head = decipher.update(bytes.subarray(NONCE_LENGTH + TAG_LENGTH));
    try {
      const tail = decipher.final();
      return tail.length === 0 ? head : Buffer.concat([head, tail]);
    } catch (error) {
      throw new DataError(
        'Damaged cipher text: invalid tag (the data was changed, or it was encrypted with ' +
          `another key; check '${AESCipher.CIPHER_KEY}')`,
        { cause: error },
      );
    }
  }
}
