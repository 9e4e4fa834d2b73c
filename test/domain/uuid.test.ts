import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  NAMESPACE_DNS,
  NAMESPACE_OID,
  NAMESPACE_URL,
  NAMESPACE_X500,
  uuid5,
} from '../../src/domain/index.js';

describe('uuid5', () => {
  test('matches Python uuid.uuid5 for each standard namespace', () => {
    assert.equal(uuid5(NAMESPACE_DNS, 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
    assert.equal(
      uuid5(NAMESPACE_URL, 'https://example.com/wiki/Home'),
      'b2b5796b-605a-5816-af50-7b68cc68595c',
    );
    assert.equal(uuid5(NAMESPACE_OID, '1.3.6.1'), '1447fa61-5277-5fef-a9b3-fbc6e44f4af3');
    assert.equal(uuid5(NAMESPACE_X500, 'cn=John'), '1713550e-4d56-5817-bce4-d5dac105f99d');
  });

  test('encodes names as UTF-8', () => {
    assert.equal(uuid5(NAMESPACE_URL, 'héllo ✓'), '8a2f39e9-e920-5c69-bfe0-c491f82bf149');
  });

  test('accepts upper-case and unhyphenated namespaces', () => {
    const expected = '886313e1-3b8a-5372-9b90-0c9aee199e5d';
    assert.equal(uuid5(NAMESPACE_DNS.toUpperCase(), 'python.org'), expected);
    assert.equal(uuid5(NAMESPACE_DNS.replaceAll('-', ''), 'python.org'), expected);
  });

  test('rejects a namespace that is not a UUID, and a name that is not a string', () => {
    assert.throws(() => uuid5('not-a-uuid', 'x'), {
      name: 'TypeError',
      message: /uuid5\(\) needs a UUID string as namespace/,
    });
    assert.throws(() => uuid5(NAMESPACE_DNS, 42 as unknown as string), {
      name: 'TypeError',
      message: /needs a string name, got number/,
    });
  });
});
