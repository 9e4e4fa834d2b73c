import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotificationSignal, PositionSubscription } from '../../src/persistence/index.js';

/** Items shaped as DCB sequenced events: the loop knows them only by `positionOf`. */
interface Sequenced {
  readonly position: number;
  readonly type: string;
}

class Log {
  readonly items: Sequenced[] = [];
  readonly signal = new NotificationSignal();
  /** Failures thrown by the next reads, in order. */
  readonly failures: Error[] = [];
  reads = 0;

  append(type: string): void {
    this.items.push({ position: this.items.length * 3 + 1, type });
    this.signal.notify();
  }

  readonly selectAfter = async (position: number, limit: number): Promise<Sequenced[]> => {
    this.reads++;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    return this.items.filter((item) => item.position > position).slice(0, limit);
  };
}

class Transient extends Error {}

function subscribe(log: Log, options: { signal?: AbortSignal; retry?: boolean } = {}) {
  const errors: unknown[] = [];
  const subscription = new PositionSubscription<Sequenced>({
    selectAfter: log.selectAfter,
    positionOf: (item) => item.position,
    wakeUp: log.signal,
    batchSize: 2,
    signal: options.signal ?? null,
    retry: options.retry
      ? {
          isTransient: (error) => error instanceof Transient,
          onError: (error) => errors.push(error),
          maxDelay: 40,
        }
      : null,
  });
  return { subscription, errors };
}

describe('PositionSubscription', () => {
  test('yields any positioned items after the start, in order, through batches and wake-ups', async () => {
    const log = new Log();
    log.append('a');
    log.append('b');
    log.append('c');
    const subscription = new PositionSubscription<Sequenced>({
      selectAfter: log.selectAfter,
      positionOf: (item) => item.position,
      after: 1,
      wakeUp: log.signal,
      batchSize: 2,
    });
    const types: string[] = [];
    const later = setTimeout(() => log.append('d'), 20);
    for await (const item of subscription) {
      types.push(item.type);
      if (item.type === 'd') break;
    }
    clearTimeout(later);
    assert.deepEqual(types, ['b', 'c', 'd']);
    assert.equal(log.signal.size, 0);
  });

  test('a signal aborted before the start yields nothing and reads nothing', async () => {
    const log = new Log();
    log.append('a');
    const { subscription } = subscribe(log, { signal: AbortSignal.abort() });
    assert.deepEqual(await subscription.next(), { done: true, value: undefined });
    assert.equal(log.reads, 0);
    assert.equal(subscription.isStopped, true);
  });

  test('aborting while next() waits resolves it { done: true } and removes every listener', async () => {
    const log = new Log();
    log.append('a');
    const controller = new AbortController();
    const { subscription } = subscribe(log, { signal: controller.signal });
    assert.equal((await subscription.next()).value?.type, 'a');
    const pending = subscription.next();
    await sleep(10);
    assert.equal(log.signal.size, 1);
    controller.abort();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(log.signal.size, 0);
    log.append('b');
    assert.deepEqual(await subscription.next(), { done: true, value: undefined });
  });

  test('stop() removes its listener from a signal that lives on', async () => {
    const controller = new AbortController();
    const { subscription } = subscribe(new Log(), { signal: controller.signal });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    subscription.stop();
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  test('a signal that is not an AbortSignal is a TypeError', () => {
    assert.throws(
      () => subscribe(new Log(), { signal: {} as AbortSignal }),
      /signal must be an AbortSignal/,
    );
  });

  test('transient read failures are reported and retried with backoff; nothing is skipped or repeated', async () => {
    const log = new Log();
    log.append('a');
    log.append('b');
    const { subscription, errors } = subscribe(log, { retry: true });
    assert.equal((await subscription.next()).value?.type, 'a');
    assert.equal((await subscription.next()).value?.type, 'b');
    const down = [new Transient('down 1'), new Transient('down 2'), new Transient('down 3')];
    log.failures.push(...down);
    log.append('c');
    const started = performance.now();
    assert.equal((await subscription.next()).value?.type, 'c');
    // Waited 100 ms, then 40 (the cap), then 40 again, before the fourth read worked.
    assert.ok(performance.now() - started >= 150);
    assert.deepEqual(errors, down);
    log.append('d');
    assert.equal((await subscription.next()).value?.type, 'd');
    subscription.stop();
  });

  test('a wake-up during a retry wait tries again at once', async () => {
    const log = new Log();
    const { subscription, errors } = subscribe(log, { retry: true });
    log.failures.push(new Transient('down'));
    const pending = subscription.next();
    await sleep(5);
    assert.equal(errors.length, 1);
    log.append('a'); // wakes the subscription before its 100 ms retry delay
    const started = performance.now();
    assert.equal((await pending).value?.type, 'a');
    assert.ok(performance.now() - started < 90);
    subscription.stop();
  });

  test('a failure that does not pass ends the subscription with that error', async () => {
    const log = new Log();
    const { subscription, errors } = subscribe(log, { retry: true });
    log.failures.push(new Error('bad query'));
    await assert.rejects(subscription.next(), /bad query/);
    assert.equal(errors.length, 0);
    assert.equal(subscription.isStopped, true);
    assert.equal(log.signal.size, 0);
  });

  test('stop() during a retry wait ends it at once and leaves no timer', async () => {
    const log = new Log();
    const { subscription } = subscribe(log, { retry: true });
    log.failures.push(new Transient('down'));
    const pending = subscription.next();
    await sleep(5);
    subscription.stop();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(log.reads, 1);
  });
});
