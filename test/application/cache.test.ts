import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Application, Cache, LRUCache } from '../../src/application/index.js';
import { Aggregate, aggregate, event } from '../../src/domain/index.js';

@aggregate('Created')
class Box extends Aggregate {
  items: string[] = [];
  constructor() {
    super();
  }

  @event('ItemAdded')
  add(item: string): void {
    this.items.push(item);
  }
}

class Boxes extends Application {
  static override env = { AGGREGATE_CACHE_MAXSIZE: '10' };
}

describe('aggregate cache', () => {
  test('LRUCache evicts the least recently used', () => {
    const cache = new LRUCache<string, number>(2);
    cache.put('a', 1);
    cache.put('b', 2);
    assert.equal(cache.get('a'), 1);
    assert.deepEqual(cache.put('c', 3), ['b', 2]);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('a', true), 1);
    assert.equal(cache.get('a'), undefined);
    assert.throws(() => new LRUCache(0), RangeError);
    const unbounded = new Cache<string, number>();
    unbounded.put('x', null);
    assert.equal(unbounded.size, 0);
  });

  test('gets are fast-forwarded to events saved after caching', async () => {
    await using app = new Boxes();
    assert.ok(app.repository.cache instanceof LRUCache);
    const box = new Box();
    await app.save(box);
    const first = await app.repository.get<Box>(box.id);
    first.add('a');
    await app.save(first);
    const second = await app.repository.get<Box>(box.id);
    assert.deepEqual(second.items, ['a']);
    assert.equal(second.version, 2);
  });

  test('copies handed out cannot corrupt the cache', async () => {
    await using app = new Boxes();
    const box = new Box();
    box.add('a');
    await app.save(box);
    const copy = await app.repository.get<Box>(box.id);
    copy.items.push('not an event');
    copy.version = 99;
    const again = await app.repository.get<Box>(box.id);
    assert.deepEqual(again.items, ['a']);
    assert.equal(again.version, 2);
    assert.ok(again instanceof Box);
    assert.ok(again.createdOn instanceof Date);
  });

  test('concurrent gets fast-forward once', async () => {
    await using app = new Boxes();
    const box = new Box();
    await app.save(box);
    await app.repository.get<Box>(box.id);
    const writer = await app.repository.get<Box>(box.id);
    for (let i = 0; i < 5; i++) writer.add(String(i));
    await app.save(writer);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => app.repository.get<Box>(box.id)),
    );
    for (const result of results) {
      assert.deepEqual(result.items, ['0', '1', '2', '3', '4']);
      assert.equal(result.version, 6);
    }
  });

  test('an invalid AGGREGATE_CACHE_MAXSIZE is a clear error', () => {
    assert.throws(
      () => new Application({ env: { AGGREGATE_CACHE_MAXSIZE: 'lots' } }),
      /AGGREGATE_CACHE_MAXSIZE must be an integer/,
    );
  });

  test('without fast-forward, saved aggregates are put in the cache', async () => {
    await using app = new Boxes({ env: { AGGREGATE_CACHE_FASTFORWARD: 'n' } });
    const box = new Box();
    await app.save(box);
    assert.ok(app.repository.cache?.get(box.id) === box);
  });
});
