import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { DataError, InfrastructureFactoryError } from '../../src/persistence/errors.js';
import { ZlibCompressor } from '../../src/persistence/zlib-compressor.js';
import { Environment } from '../../src/utils/environment.js';

describe('ZlibCompressor', () => {
  it('round-trips and compresses repetitive data', () => {
    const compressor = new ZlibCompressor();
    const data = new Uint8Array(
      Buffer.from('{"name":"Fido","tricks":["roll over","roll over","roll over"]}'.repeat(20)),
    );
    const compressed = compressor.compress(data);
    assert.ok(compressed.length < data.length / 4);
    assert.deepEqual(Buffer.from(compressor.decompress(compressed)), Buffer.from(data));
  });

  it('writes the zlib format (as Python zlib.compress does)', () => {
    const compressed = new ZlibCompressor().compress(new Uint8Array(Buffer.from('hello')));
    assert.equal(compressed[0], 0x78);
  });

  it("reads Python's zlib.compress(b'hello world') output", () => {
    const fromPython = Buffer.from('789ccb48cdc9c95728cf2fca4901001a0b045d', 'hex');
    assert.equal(
      Buffer.from(new ZlibCompressor().decompress(fromPython)).toString(),
      'hello world',
    );
  });

  it('rejects data that is not zlib', () => {
    assert.throws(() => new ZlibCompressor().decompress(new Uint8Array([1, 2, 3])));
  });

  it('refuses to inflate past 64 MiB by default: a row of under 100 KB that would inflate to 70 MB is a DataError', () => {
    const bomb = deflateSync(Buffer.alloc(70 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 100 * 1024);
    const compressor = new ZlibCompressor();
    assert.equal(compressor.maxOutputSize, 64 * 1024 * 1024);
    assert.throws(
      () => compressor.decompress(bomb),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.match(error.message, /inflates to more than 67108864 bytes/);
        assert.match(error.message, /COMPRESSOR_MAX_OUTPUT_SIZE/);
        return true;
      },
    );
  });

  it('decompresses up to exactly maxOutputSize bytes, and no more', () => {
    const compressor = new ZlibCompressor({ maxOutputSize: 1000 });
    const exact = compressor.compress(new Uint8Array(1000).fill(7));
    assert.equal(compressor.decompress(exact).length, 1000);
    const over = compressor.compress(new Uint8Array(1001).fill(7));
    assert.throws(() => compressor.decompress(over), DataError);
  });

  it('takes the bound from COMPRESSOR_MAX_OUTPUT_SIZE, and rejects a bad value clearly', () => {
    const env = (value?: string) =>
      new Environment(
        'Bank',
        value === undefined ? {} : { BANK_COMPRESSOR_MAX_OUTPUT_SIZE: value },
      );
    assert.equal(ZlibCompressor.fromEnvironment(env()).maxOutputSize, 64 * 1024 * 1024);
    assert.equal(ZlibCompressor.fromEnvironment(env(' ')).maxOutputSize, 64 * 1024 * 1024);
    assert.equal(ZlibCompressor.fromEnvironment(env('1048576')).maxOutputSize, 1048576);
    for (const bad of ['0', '-1', '1.5', 'lots', '1e9']) {
      assert.throws(
        () => ZlibCompressor.fromEnvironment(env(bad)),
        (error: unknown) => {
          assert.ok(error instanceof InfrastructureFactoryError);
          assert.match(error.message, /COMPRESSOR_MAX_OUTPUT_SIZE/);
          return true;
        },
      );
    }
    assert.throws(() => new ZlibCompressor({ maxOutputSize: 0 }), RangeError);
  });
});
