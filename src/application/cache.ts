/**
 * An unbounded cache of aggregates by id (`AGGREGATE_CACHE_MAXSIZE` ≤ 0).
 */
export class Cache<K, V> {
  /** The cached values by key, in insertion order (which `LRUCache` keeps as recency order). */
  protected readonly map = new Map<K, V>();

  /** The cached value, or `undefined`; with `evict`, the value is also removed. */
  get(key: K, evict = false): V | undefined {
    const value = this.map.get(key);
    if (evict) this.map.delete(key);
    return value;
  }

  /** Caches the value (`null` and `undefined` are ignored); returns an evicted entry, if any. */
  put(key: K, value: V | null | undefined): [K, V] | undefined {
    if (value !== null && value !== undefined) this.map.set(key, value);
    return undefined;
  }

  /** Removes the value. */
  delete(key: K): void {
    this.map.delete(key);
  }

  /** The number of cached values. */
  get size(): number {
    return this.map.size;
  }
}

/**
 * A cache that keeps at most `maxsize` values, evicting the least recently used
 * (`AGGREGATE_CACHE_MAXSIZE` > 0).
 */
export class LRUCache<K, V> extends Cache<K, V> {
  /** The most values kept; putting one more evicts the least recently used. */
  readonly maxsize: number;

  constructor(maxsize: number) {
    super();
    if (!Number.isInteger(maxsize) || maxsize < 1) {
      throw new RangeError(`LRUCache maxsize must be a positive integer, got ${maxsize}`);
    }
    this.maxsize = maxsize;
  }

  override get(key: K, evict = false): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting marks the entry as most recently used.
    this.map.delete(key);
    if (!evict) this.map.set(key, value);
    return value;
  }

  override put(key: K, value: V | null | undefined): [K, V] | undefined {
    if (value === null || value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxsize) {
      const oldest = this.map.entries().next().value as [K, V];
      this.map.delete(oldest[0]);
      return oldest;
    }
    return undefined;
  }
}
