import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeValue } from '../../src/utils/describe-value.js';

describe('describeValue', () => {
  it('shows primitives as they are, strings quoted and bigints with their n', () => {
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue(undefined), 'undefined');
    assert.equal(describeValue('a "b"'), '"a \\"b\\""');
    assert.equal(describeValue(1.5), '1.5');
    assert.equal(describeValue(Number.NaN), 'NaN');
    assert.equal(describeValue(false), 'false');
    assert.equal(describeValue(12n), '12n');
    assert.equal(describeValue(Symbol('s')), 'a symbol');
  });

  it('names the class of an object, with the article its name takes, and never its contents', () => {
    class Dog {
      secret = 'hunter2';
    }
    assert.equal(describeValue(new Dog()), 'a Dog');
    assert.equal(describeValue([1, 2]), 'an Array');
    assert.equal(describeValue({ password: 'x' }), 'an Object');
    assert.equal(describeValue(Object.create(null)), 'an object');
    assert.doesNotMatch(describeValue(new Dog()), /hunter2/);
  });

  it('tells classes from functions', () => {
    class Cat {}
    function make(): void {}
    assert.equal(describeValue(Cat), 'class Cat');
    assert.equal(describeValue(make), 'function make');
    assert.equal(
      describeValue(() => 1),
      'function (anonymous)',
    );
  });
});
