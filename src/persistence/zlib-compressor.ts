import { deflateSync, inflateSync } from 'node:zlib';
import type { Environment } from '../utils/environment.js';
import type { Compressor } from './compressor.js';
import { DataError, InfrastructureFactoryError } from './errors.js';

/** Options of `ZlibCompressor`. */
export interface ZlibCompressorOptions {
  /**
   * The most bytes `decompress` may produce (default 64 MiB): a small stored row that would
   * inflate past it (a "zip bomb", or damage) is a `DataError` instead of an allocation of
   * that size on every read.
   */
  maxOutputSize?: number;
}

/**
 * Compresses with zlib (the zlib format, RFC 1950, as Python's `zlib.compress` writes), so each
 * side reads what the other wrote. Selected by `COMPRESSOR_TOPIC=zlib`. Decompression is bounded
 * by `maxOutputSize` (`COMPRESSOR_MAX_OUTPUT_SIZE` in the environment).
 */
export class ZlibCompressor implements Compressor {
  /** The environment key of `maxOutputSize`, in bytes (read by `fromEnvironment`). */
  static readonly COMPRESSOR_MAX_OUTPUT_SIZE = 'COMPRESSOR_MAX_OUTPUT_SIZE';
  /** The default bound of `decompress`: 64 MiB. */
  static readonly DEFAULT_MAX_OUTPUT_SIZE = 64 * 1024 * 1024;

  /** The most bytes `decompress` may produce. */
  readonly maxOutputSize: number;

  /** @throws RangeError when `maxOutputSize` is not a positive safe integer. */
  constructor(options: ZlibCompressorOptions = {}) {
    const max = options.maxOutputSize ?? ZlibCompressor.DEFAULT_MAX_OUTPUT_SIZE;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(
        `maxOutputSize must be a positive whole number of bytes, not ${String(max)}.`,
      );
    }
    this.maxOutputSize = max;
  }

  /**
   * A compressor configured by the environment: `COMPRESSOR_MAX_OUTPUT_SIZE` (bytes; empty or
   * unset for the default).
   *
   * @throws InfrastructureFactoryError when the value is not a positive whole number.
   */
  static fromEnvironment(env: Environment): ZlibCompressor {
    const key = ZlibCompressor.COMPRESSOR_MAX_OUTPUT_SIZE;
    const text = (env.get(key) ?? '').trim();
    if (text === '') return new ZlibCompressor();
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InfrastructureFactoryError(
        `'${key}' is ${JSON.stringify(text)}: set it to the most bytes a stored state may ` +
          `decompress to (a positive whole number, e.g. ${ZlibCompressor.DEFAULT_MAX_OUTPUT_SIZE}), ` +
          'or leave it empty for the default.',
      );
    }
    return new ZlibCompressor({ maxOutputSize: value });
  }

  /** Deflates `data` into zlib format. */
  compress(data: Uint8Array): Uint8Array {
    return deflateSync(data);
  }

  /**
   * Inflates zlib-format `data`.
   *
   * @throws DataError when the output would exceed `maxOutputSize`; zlib's own error when the
   * data is not zlib.
   */
  decompress(data: Uint8Array): Uint8Array {
    try {
      return inflateSync(data, { maxOutputLength: this.maxOutputSize });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DataError(
          `A compressed state of ${data.length} bytes inflates to more than ` +
            `${this.maxOutputSize} bytes, the compressor's maxOutputSize: it is damaged or ` +
            `hostile, or your states are that large (then raise ` +
            `${ZlibCompressor.COMPRESSOR_MAX_OUTPUT_SIZE}).`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
