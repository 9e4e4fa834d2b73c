/** Encrypts the bytes of stored events (the last stage of a `Mapper` on write, the first on read). */
export interface Cipher {
  /** The cipher text of `plaintext`. */
  encrypt(plaintext: Uint8Array): Uint8Array;
  /** The plain text of `ciphertext`; throws if it was damaged or encrypted with another key. */
  decrypt(ciphertext: Uint8Array): Uint8Array;
}
