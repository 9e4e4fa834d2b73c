import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntegrityError, OperationalError } from '../../src/persistence/errors.js';
import { retry } from '../../src/utils/retry.js';

function failing(times: number, error: () => Error = () => new OperationalError('down')) {
  const calls: unknown[][] = [];
  const fn = async (...args: unknown[]): Promise<string> => {
    calls.push(args);
    if (calls.length <= times) throw error();
    return `ok after ${calls.length}`;
  };
  return { fn, calls };
}

describe('retry', () => {
  it('retries on the given errors up to maxAttempts attempts in all', async () => {
    const { fn, calls } = failing(2);
    const retried = retry(fn, { exceptions: OperationalError, maxAttempts: 3 });
    assert.equal(await retried('a', 1), 'ok after 3');
    assert.deepEqual(calls, [
      ['a', 1],
      ['a', 1],
      ['a', 1],
    ]);
  });

  it('rethrows the last error when the attempts run out', async () => {
    const { fn, calls } = failing(5);
    await assert.rejects(
      retry(fn, { exceptions: [OperationalError], maxAttempts: 2 })(),
      OperationalError,
    );
    assert.equal(calls.length, 2);
  });

  it('makes one attempt by default, as Python does', async () => {
    const { fn, calls } = failing(1);
    await assert.rejects(retry(fn)(), OperationalError);
    assert.equal(calls.length, 1);
  });

  it('does not retry other errors', async () => {
    const { fn, calls } = failing(1, () => new IntegrityError('conflict'));
    await assert.rejects(
      retry(fn, { exceptions: OperationalError, maxAttempts: 5 })(),
      IntegrityError,
    );
    assert.equal(calls.length, 1);
  });

  it('retries synchronous throws too, and retries without limit for maxAttempts null', async () => {
    let n = 0;
    const retried = retry(
      () => {
        n++;
        if (n < 10) throw new OperationalError('x');
        return n;
      },
      { maxAttempts: null },
    );
    assert.equal(await retried(), 10);
  });

  it('waits between attempts and stalls before the first', async () => {
    const { fn } = failing(2);
    const start = Date.now();
    await retry(fn, { maxAttempts: 3, wait: 20, stall: 20 })();
    // Lower bound only: 20 stall + 2 × 19 (20 ms minus 5% jitter).
    assert.ok(Date.now() - start >= 55);
  });

  it('keeps `this` and works as a method decorator', async () => {
    class Service {
      calls = 0;
      @retry({ exceptions: OperationalError, maxAttempts: 3 })
      async fetch(x: number): Promise<number> {
        this.calls++;
        if (this.calls < 3) throw new OperationalError('down');
        return x * 2;
      }
      @retry
      async once(): Promise<number> {
        this.calls++;
        throw new OperationalError('down');
      }
    }
    const service = new Service();
    assert.equal(await service.fetch(21), 42);
    assert.equal(service.calls, 3);
    await assert.rejects(service.once(), OperationalError);
    assert.equal(service.calls, 4);
  });

  it('validates its options with clear TypeErrors', () => {
    const fn = async () => 1;
    assert.throws(() => retry(fn, { exceptions: 'Error' as never }), /not an exception class/);
    assert.throws(
      () => retry(fn, { exceptions: [OperationalError, 1 as never] }),
      /not an exception class/,
    );
    assert.throws(() => retry(fn, { maxAttempts: 1.5 }), /'maxAttempts' must be an integer/);
    assert.throws(() => retry(fn, { maxAttempts: 0 }), /'maxAttempts'/);
    assert.throws(() => retry(fn, { wait: '1' as never }), /'wait' must be a number/);
    assert.throws(() => retry(fn, { wait: -1 }), /'wait'/);
    assert.throws(() => retry(fn, { stall: Number.NaN }), /'stall' must be a number/);
    assert.throws(() => retry({ maxAttempts: -1 }), /'maxAttempts'/);
    assert.throws(() => retry(fn, 5 as never), /options must be an object/);
  });

  it('keeps the function name', () => {
    async function load(): Promise<void> {}
    assert.equal(retry(load).name, 'load');
  });
});
