import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEvent, DomainEvent } from '../../src/domain/index.js';

class TreePlanted extends DomainEvent {
  declare readonly species: string;
  declare readonly height?: number;
}

describe('DomainEvent', () => {
  test('create makes a frozen instance of the class from its fields, without a constructor', () => {
    const timestamp = new Date('2024-02-07T15:32:51.123Z');
    const event = TreePlanted.create({
      originatorId: 'forest-1',
      originatorVersion: 3,
      timestamp,
      species: 'oak',
    });
    assert.ok(event instanceof TreePlanted);
    assert.ok(event instanceof DomainEvent);
    assert.deepEqual(Object.keys(event), [
      'originatorId',
      'originatorVersion',
      'timestamp',
      'species',
    ]);
    assert.equal(event.species, 'oak');
    assert.equal(event.timestamp, timestamp);
    assert.ok(Object.isFrozen(event));
    assert.throws(() => {
      (event as unknown as { species: string }).species = 'elm';
    }, TypeError);
  });

  test('timestamp defaults to now and undefined fields are left out', () => {
    const before = Date.now();
    const event = createEvent(TreePlanted, {
      originatorId: 'forest-1',
      originatorVersion: 1,
      species: 'ash',
      height: undefined,
    });
    assert.ok(event.timestamp instanceof Date);
    assert.ok(event.timestamp.getTime() >= before);
    assert.equal(Object.hasOwn(event, 'height'), false);
  });

  test('bad fields are TypeErrors that name the problem', () => {
    assert.throws(
      () =>
        TreePlanted.create(
          null as unknown as { originatorId: string; originatorVersion: number; species: string },
        ),
      { name: 'TypeError', message: /takes an object of fields, got null/ },
    );
    assert.throws(
      () => TreePlanted.create({ originatorId: '', originatorVersion: 1, species: 'x' }),
      { name: 'TypeError', message: /originatorId must be a non-empty string/ },
    );
    assert.throws(
      () => TreePlanted.create({ originatorId: 'a', originatorVersion: 1.5, species: 'x' }),
      { name: 'TypeError', message: /originatorVersion must be an integer, got 1.5/ },
    );
    assert.throws(
      () =>
        TreePlanted.create({
          originatorId: 'a',
          originatorVersion: 1,
          species: 'x',
          timestamp: '2024-01-01' as unknown as Date,
        }),
      { name: 'TypeError', message: /timestamp must be a Date/ },
    );
  });
});
