/** Compresses the bytes of stored events (after encoding, before encryption). */
export interface Compressor {
  /** The compressed form of `data`. */
  compress(data: Uint8Array): Uint8Array;
  /** The data that `compress` was given. */
  decompress(data: Uint8Array): Uint8Array;
}
