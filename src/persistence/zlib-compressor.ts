import { deflateSync, inflateSync } from 'node:zlib';
import type { Compressor } from './compressor.js';

/**
 * Compresses with zlib (the zlib format, RFC 1950, as Python's `zlib.compress` writes), so each
 * side reads what the other wrote. Selected by `COMPRESSOR_TOPIC=zlib`.
 */
export class ZlibCompressor implements Compressor {
  /** Deflates `data` into zlib format. */
  compress(data: Uint8Array): Uint8Array {
    return deflateSync(data);
  }

  /** Inflates zlib-format `data`. */
  decompress(data: Uint8Array): Uint8Array {
    return inflateSync(data);
  }
}
