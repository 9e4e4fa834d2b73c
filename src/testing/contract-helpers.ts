import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { StoredEvent } from '../persistence/stored-event.js';

/** Makes a fresh, empty recorder; `name` is unique per test (use it as the application name). */
export type CreateRecorder<R> = (name: string) => R | Promise<R>;

/** Options of the recorder contract suites. */
export interface RecorderContractOptions<R> {
  /** Cleans a recorder up after each test (default: `recorder.close()`). */
  dispose?: (recorder: R) => void | Promise<void>;
  /** Whether originator ids that are not UUIDs are supported (default `true`). */
  textIds?: boolean;
  /**
   * Milliseconds after which one test fails instead of hanging (default 30000): a subscriber
   * that skips a notification would otherwise wait for ever.
   */
  timeout?: number;
}

/**
 * Returns a `test` that gives each body a fresh recorder, disposes of it afterwards, and fails
 * the test if it hangs.
 */
export function contractTest<R extends { close(): Promise<void> }>(
  create: CreateRecorder<R>,
  options: RecorderContractOptions<R> | undefined,
): (name: string, body: (recorder: R) => Promise<void>) => void {
  const timeout = options?.timeout ?? 30_000;
  return (name, body) => {
    test(name, { timeout }, () => withRecorder(create, options, body));
  };
}

/** A name unique to one test, usable as an application name or a table-name prefix. */
export function uniqueName(): string {
  return `contract_${randomBytes(6).toString('hex')}`;
}

/** Creates a fresh recorder, runs the body with it, and always disposes of it. */
export async function withRecorder<R extends { close(): Promise<void> }>(
  create: CreateRecorder<R>,
  options: RecorderContractOptions<R> | undefined,
  body: (recorder: R) => Promise<void>,
): Promise<void> {
  const recorder = await create(uniqueName());
  try {
    await body(recorder);
  } finally {
    if (options?.dispose) await options.dispose(recorder);
    else await recorder.close();
  }
}

/** A stored event with a recognisable state (a fresh UUID id unless one is given). */
export function storedEvent(
  originatorId: string = randomUUID(),
  originatorVersion = 1,
  topic = 'eventsourcing.tests:Event',
  state: Uint8Array = new TextEncoder().encode(
    JSON.stringify({ id: originatorId, version: originatorVersion }),
  ),
): StoredEvent {
  return { originatorId, originatorVersion, topic, state };
}

/** Asserts that two stored events have the same id, version, topic and state bytes. */
export function assertSameEvent(actual: StoredEvent | undefined, expected: StoredEvent): void {
  assert.ok(
    actual !== undefined,
    `expected event ${expected.originatorId} v${expected.originatorVersion}`,
  );
  assert.equal(actual.originatorId, expected.originatorId);
  assert.equal(actual.originatorVersion, expected.originatorVersion);
  assert.equal(actual.topic, expected.topic);
  assert.ok(actual.state instanceof Uint8Array, 'state should be a Uint8Array');
  assert.deepEqual(new Uint8Array(actual.state), new Uint8Array(expected.state));
}

/** Asserts that the lists hold the same events in the same order. */
export function assertSameEvents(
  actual: readonly StoredEvent[],
  expected: readonly StoredEvent[],
): void {
  assert.equal(actual.length, expected.length, 'number of events');
  for (let i = 0; i < expected.length; i++) assertSameEvent(actual[i], expected[i]!);
}

/** Asserts that the numbers strictly increase. */
export function assertStrictlyIncreasing(ids: readonly number[], what = 'ids'): void {
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ids[i]! > ids[i - 1]!, `${what} should strictly increase: ${ids.join(', ')}`);
  }
}

/** Asserts that the value is a safe integer. */
export function assertInteger(value: unknown, what = 'value'): asserts value is number {
  assert.ok(Number.isSafeInteger(value), `${what} should be a safe integer, got ${String(value)}`);
}
