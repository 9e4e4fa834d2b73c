/**
 * `retry`'s types say what it does: whatever the wrapped function returns, the retrying one
 * returns a Promise of it. The type assertions are checked by `tsc` (the repository's type check
 * includes the tests); the runtime tests check that the values agree with them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OperationalError } from '../../src/persistence/errors.js';
import { retry } from '../../src/utils/retry.js';

/** True only when A and B are the same type (not merely assignable either way). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function assertType<T extends true>(_proof: T): void {}

describe('retry types', () => {
  it('types a wrapped synchronous function as returning a Promise, and it does', async () => {
    const sync = retry((a: number, b: string): number => a + b.length);
    assertType<Equal<ReturnType<typeof sync>, Promise<number>>>(true);
    assertType<Equal<Parameters<typeof sync>, [a: number, b: string]>>(true);
    const result = sync(1, 'ab');
    assert.ok(
      result instanceof Promise,
      'a synchronous function wrapped by retry returns a Promise',
    );
    assert.equal(await result, 3);
  });

  it('types a wrapped async function as returning the same Promise, not a nested one', async () => {
    const async = retry(async (id: string) => ({ id }), { exceptions: OperationalError });
    assertType<Equal<ReturnType<typeof async>, Promise<{ id: string }>>>(true);
    assert.deepEqual(await async('x'), { id: 'x' });
  });

  it('keeps the method type of a decorated async method, and refuses a synchronous one', async () => {
    class Service {
      base = 40;
      @retry({ maxAttempts: 2 })
      async add(n: number): Promise<number> {
        return this.base + n;
      }
      @retry
      async name(): Promise<string> {
        return 'service';
      }
    }
    const service = new Service();
    assertType<Equal<ReturnType<Service['add']>, Promise<number>>>(true);
    assert.equal(await service.add(2), 42);
    assert.equal(await service.name(), 'service');

    // Decorating a synchronous method would make it return a Promise that its type hides.
    class Sync {
      // @ts-expect-error: @retry decorates async methods only
      @retry({ maxAttempts: 2 })
      count(): number {
        return 1;
      }
    }
    assert.ok(
      (new Sync().count() as unknown) instanceof Promise,
      'what the compile error prevents',
    );
  });
});
