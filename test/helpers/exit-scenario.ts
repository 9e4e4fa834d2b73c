import { WaitInterruptedError } from '../../src/persistence/errors.js';
import type { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';

/**
 * Uses a factory's process recorder the way an application does — writes, subscribes, stops a
 * waiting subscription, interrupts a wait, leaves a wait and a subscription pending, closes the
 * factory — and reports what each step gave. Run by the exit-test fixtures of each persistence
 * module, whose processes must then end by themselves.
 */
export async function exitScenario(
  factory: InfrastructureFactory,
  settleMs = 0,
): Promise<Record<string, unknown>> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs));
  const recorder = factory.processRecorder();
  await recorder.insertEvents([
    {
      originatorId: crypto.randomUUID(),
      originatorVersion: 1,
      topic: 't:E',
      state: Uint8Array.of(1),
    },
  ]);

  const subscription = recorder.subscribe();
  const iterator = subscription[Symbol.asyncIterator]();
  const first = await iterator.next();
  const pending = iterator.next(); // waits for a notification that never comes
  await settle();
  subscription.stop();
  const last = await pending;

  const controller = new AbortController();
  const waiting = recorder.wait('upstream', 1, { timeout: 60_000, signal: controller.signal });
  controller.abort();
  const interrupted = await waiting.then(
    () => false,
    (error: unknown) => error instanceof WaitInterruptedError,
  );

  // A wait and a subscription left pending are settled by close().
  const leftWaiting = recorder.wait('upstream', 2, { timeout: 60_000 }).catch((e: unknown) => e);
  const leftPending = recorder.subscribe({ gt: 1 })[Symbol.asyncIterator]().next();
  await settle();
  await factory.close();
  const closedWait = await leftWaiting;
  const closedNext = await leftPending;

  return {
    first: first.done === false ? first.value.id : null,
    lastDone: last.done,
    interrupted,
    closedWait: closedWait instanceof WaitInterruptedError,
    closedNextDone: closedNext.done,
    listeners: (recorder as unknown as { listenerCount: number }).listenerCount,
  };
}
