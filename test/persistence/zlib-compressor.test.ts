import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { ZlibCompressor } from '../../src/persistence/zlib-compressor.js';

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
});
