// The PostgreSQL recorders' state column: the plain path reads the bytea, the fast path the
// escape format while states are ASCII; both give the same bytes, and a recorder whose states
// mostly need escapes goes back to the bytea.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StateColumn, unescapeBytea } from '../../src/postgres/state-column.js';

describe('StateColumn', () => {
  it('selects the bytea on the plain path and the escape format on the fast path', () => {
    assert.equal(new StateColumn(false).select(), 'state');
    assert.equal(new StateColumn(true).select('s.state'), "encode(s.state, 'escape')");
  });

  it('reads the same bytes from either form, for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    // The escape format, as PostgreSQL writes it: \\ for a backslash, \ooo for non-ASCII bytes.
    let escaped = '';
    for (const byte of all) {
      if (byte === 92) escaped += '\\\\';
      else if (byte < 32 || byte > 126) escaped += `\\${byte.toString(8).padStart(3, '0')}`;
      else escaped += String.fromCharCode(byte);
    }
    assert.deepEqual(new Uint8Array(unescapeBytea(escaped)), all);
    assert.deepEqual(new Uint8Array(new StateColumn(true).bytes(escaped)), all);
    assert.deepEqual(new StateColumn(false).bytes(Buffer.from(all)), Buffer.from(all));
    assert.deepEqual(new StateColumn(true).bytes(null), new Uint8Array(0));
  });

  it('goes back to the bytea once more than a quarter of the states read need escapes', () => {
    const column = new StateColumn(true);
    for (let i = 0; i < 100; i++) column.bytes('{"a":1}');
    assert.equal(column.asText, true);
    for (let i = 0; i < 40; i++) column.bytes('\\377');
    assert.equal(column.asText, false);
    assert.equal(column.select(), 'state');
  });
});
