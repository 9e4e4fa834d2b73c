// Decision, InitialDecision, Tagged and Selector: the plain shapes of the decision model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decision, InitialDecision, Selector, Tagged } from '../../src/dcb/index.js';
import { ProgrammingError } from '../../src/domain/errors.js';

class PriceSet extends Decision {
  declare readonly productId: string;
  declare readonly price: number;
  declare readonly note?: string;
}
class Other extends Decision {}

describe('Decision', () => {
  it('is made from its fields without a constructor, frozen, leaving out undefined fields', () => {
    const d = PriceSet.create({ productId: 'p1', price: 3, note: undefined });
    assert.ok(d instanceof PriceSet);
    assert.ok(Object.isFrozen(d));
    assert.deepEqual(d.asDict(), { productId: 'p1', price: 3 });
    assert.ok(!('note' in d));
  });

  it('refuses fields that are not an object, saying what it got', () => {
    assert.throws(
      () => PriceSet.create(null as never),
      /PriceSet.create\(\) takes an object of fields, got null/,
    );
  });

  it('cannot be applied to nothing: only an initial decision creates an object', () => {
    assert.throws(
      () => PriceSet.create({ productId: 'p', price: 1 }).mutate(null),
      ProgrammingError,
    );
  });

  it('runs its apply hook on any perspective it is applied to', () => {
    class Noted extends Decision {
      override apply(p: object): void {
        (p as { seen: number }).seen++;
      }
    }
    const target = { seen: 0 };
    assert.equal(Noted.create({}).mutate(target), target);
    assert.equal(target.seen, 1);
  });
});

describe('InitialDecision', () => {
  it('names the id field after the class, with a lower-case first letter', () => {
    assert.equal(InitialDecision.idFieldName('Course'), 'courseId');
    assert.equal(InitialDecision.idFieldName('CourseBooking'), 'courseBookingId');
  });

  it('refuses to create an object without an originator topic, saying where they come from', () => {
    class Started extends InitialDecision {}
    assert.throws(() => Started.create({} as never).mutate(null), /has no originatorTopic/);
  });
});

describe('Tagged', () => {
  it('holds a copy of its tags, frozen, and the decision', () => {
    const tags = ['a', 'b'];
    const t = new Tagged(tags, Other.create({}));
    tags.push('c');
    assert.deepEqual(t.tags, ['a', 'b']);
    assert.ok(Object.isFrozen(t.tags));
    assert.equal(t.id, null);
  });

  it('refuses empty tags and non-decisions', () => {
    assert.throws(() => new Tagged([''], Other.create({})), /non-empty string tags/);
    assert.throws(() => new Tagged([], { x: 1 } as never), /takes a Decision/);
  });
});

describe('Selector', () => {
  it('selects decisions of any of its types that carry all of its tags', () => {
    const s = new Selector({ types: [PriceSet], tags: ['a', 'b'] });
    const price = PriceSet.create({ productId: 'p', price: 1 });
    assert.ok(s.matches(price, ['a', 'b', 'c']));
    assert.ok(!s.matches(price, ['a']));
    assert.ok(!s.matches(Other.create({}), ['a', 'b']));
  });

  it('selects every decision when it has no types and no tags', () => {
    assert.ok(new Selector().matches(Other.create({}), []));
  });

  it('refuses types that are not decision classes, and empty tags', () => {
    assert.throws(
      () => new Selector({ types: ['PriceSet' as never] }),
      /array of Decision classes/,
    );
    assert.throws(() => new Selector({ tags: [''] }), /non-empty strings/);
  });
});
