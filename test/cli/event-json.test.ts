// An inspected event as the CLI's --json and table cells and the browser's JSON API give it:
// the same JSON in both, and an event with an invalid timestamp shown, not a failed listing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toBrowserEvent } from '../../src/browser/browser-event.js';
import { eventCells } from '../../src/cli/event-row.js';
import type { InspectedEvent } from '../../src/interface/inspected-event.js';
import { inspectedEventJson } from '../../src/interface/inspected-event-json.js';

function inspected(overrides: Partial<InspectedEvent> = {}): InspectedEvent {
  return {
    id: 7,
    originatorId: 'dog-1',
    originatorVersion: 2,
    topic: 'Dog.TrickAdded',
    timestamp: new Date('2026-01-02T03:04:05.678Z'),
    fields: { trick: 'sit', at: new Date('2026-01-02T00:00:00.000Z'), count: 10n },
    domainEvent: null,
    className: null,
    state: new Uint8Array([1, 2, 3]),
    error: null,
    ...overrides,
  };
}

describe('inspected events as JSON', () => {
  it('the browser gives what --json prints', () => {
    const event = inspected();
    assert.deepEqual(toBrowserEvent(event), inspectedEventJson(event));
    assert.deepEqual(inspectedEventJson(event), {
      id: 7,
      originatorId: 'dog-1',
      originatorVersion: 2,
      topic: 'Dog.TrickAdded',
      timestamp: '2026-01-02T03:04:05.678Z',
      className: null,
      fields: { trick: 'sit', at: '2026-01-02T00:00:00.000Z', count: '10' },
      error: null,
    });
    assert.deepEqual(inspectedEventJson(event, { raw: true }).state, 'AQID');
  });

  it('an invalid timestamp is shown as such instead of failing the listing', () => {
    const event = inspected({ timestamp: new Date(Number.NaN) });
    assert.equal(inspectedEventJson(event).timestamp, 'Invalid Date');
    assert.equal(toBrowserEvent(event).timestamp, 'Invalid Date');
    assert.equal(eventCells(event, false).timestamp, 'Invalid Date');
  });

  it('an event that was not decoded has null fields and says why', () => {
    const event = inspected({ fields: null, timestamp: null, error: 'no CIPHER_KEY' });
    assert.deepEqual(toBrowserEvent(event), inspectedEventJson(event));
    assert.equal(eventCells(event, false).fields, '(not decoded: no CIPHER_KEY)');
    assert.equal(eventCells(event, false).timestamp, '-');
  });
});
