// The wire format: Python's json.dumps output byte for byte (separators, key order, ASCII
// escapes), UUIDs as 32-hex and back, text ids kept, and clear errors for malformed JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeNotifications,
  decodeSection,
  encodeNotificationItem,
  encodeNotifications,
  encodeSection,
  pythonJsonDumps,
} from '../../src/interface/index.js';

const uuid = '0f3c2a8e-1b2d-4c5e-8f90-a1b2c3d4e5f6';
const section = {
  id: '1,2',
  nextId: null,
  items: [
    {
      id: 1,
      originatorId: uuid.toUpperCase(),
      originatorVersion: 1,
      topic: 'caf\u00e9:\u00c9v\u00e9nement\u{1F600}\u007f\t"q"',
      state: new Uint8Array([0, 1, 2, 250, 255]),
    },
    {
      id: 2,
      originatorId: 'text-id/\u00e9',
      originatorVersion: 2,
      topic: 't',
      state: new Uint8Array(),
    },
  ],
};
// Printed by Python 3: json.dumps({"id": "1,2", "next_id": None, "items": [...]}) of the same.
const python =
  '{"id": "1,2", "next_id": null, "items": [{"id": 1, "originator_id": ' +
  '"0f3c2a8e1b2d4c5e8f90a1b2c3d4e5f6", "originator_version": 1, "topic": ' +
  '"caf\\u00e9:\\u00c9v\\u00e9nement\\ud83d\\ude00\\u007f\\t\\"q\\"", "state": "AAEC+v8="}, ' +
  '{"id": 2, "originator_id": "text-id/\\u00e9", "originator_version": 2, "topic": "t", ' +
  '"state": ""}]}';

test("a section is Python's json.dumps byte for byte", () => {
  assert.equal(encodeSection(section), python);
});

test('a section decodes: 32-hex ids become UUIDs, other ids stay as given', () => {
  const decoded = decodeSection(python);
  assert.equal(decoded.id, '1,2');
  assert.equal(decoded.nextId, null);
  assert.equal(decoded.items[0]?.originatorId, uuid);
  assert.equal(decoded.items[0]?.topic, section.items[0]?.topic);
  assert.deepEqual(decoded.items[0]?.state, new Uint8Array([0, 1, 2, 250, 255]));
  assert.equal(decoded.items[1]?.originatorId, 'text-id/\u00e9');
  assert.equal(
    decodeSection(python, { textIds: true }).items[0]?.originatorId,
    '0f3c2a8e1b2d4c5e8f90a1b2c3d4e5f6',
  );
  // Python's compact JSON (or any JSON) reads the same.
  assert.deepEqual(decodeSection(JSON.stringify(JSON.parse(python))), decoded);
});

test('a selection is a bare array', () => {
  assert.equal(encodeNotifications([]), '[]');
  const json = encodeNotifications(section.items);
  assert.equal(json, python.slice(python.indexOf('['), -1));
  assert.deepEqual(
    decodeNotifications(json).map((n) => n.id),
    [1, 2],
  );
});

test('malformed JSON is a clear error', () => {
  assert.throws(() => decodeSection('nope'), /^SyntaxError: Invalid section: not JSON/);
  assert.throws(() => decodeSection('[]'), /Invalid section: expected a JSON object, got \[\]/);
  assert.throws(() => decodeNotifications('{}'), /expected a JSON array/);
  assert.throws(() => decodeNotifications('[{"id": "1"}]'), /"id" must be an integer, got "1"/);
  assert.equal(pythonJsonDumps({ a: [true, null, 1] }), '{"a": [true, null, 1]}');
});

test("the items' direct writer writes what the generic one writes", () => {
  const notifications = [
    ...section.items,
    {
      id: 3,
      originatorId: 'a"b\\c',
      originatorVersion: 9,
      topic: 'x\\y',
      state: new Uint8Array([1]),
    },
    {
      id: 4,
      originatorId: uuid,
      originatorVersion: 1,
      topic: 'plain:Topic',
      state: new Uint8Array(300).fill(7),
    },
    {
      id: 5,
      originatorId: `${uuid}x`,
      originatorVersion: 1,
      topic: '\u0000\u001f',
      state: new Uint8Array(),
    },
  ];
  assert.equal(
    encodeNotifications(notifications),
    pythonJsonDumps(notifications.map(encodeNotificationItem)),
  );
});
