// With the API installed but no SDK registered nothing is recorded (not even in the stored
// events) and everything works; EVENTSOURCING_TELEMETRY=no turns the instrumentation off; and a
// process with the SDK registered exits by itself (the instrumentation leaves no timer).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runUntilExit } from '../helpers/run-until-exit.js';

const child = fileURLToPath(new URL('./fixtures/child.ts', import.meta.url));

describe('a process using applications and runners', () => {
  it('with the SDK: spans and metrics, and it exits by itself', async () => {
    const result = await runUntilExit(child, ['sdk']);
    assert.deepEqual(result, {
      instrumented: true,
      traceparentStored: true,
      counted: 1,
      spans: [
        'policy EmailProcess',
        'process BankAccounts',
        'process Upstream',
        'record EmailProcess',
        'save BankAccounts',
        'save Upstream',
      ],
      // The lag gauge reports running consumers only: the runners are stopped.
      metrics: [
        'messaging.client.consumed.messages',
        'messaging.client.sent.messages',
        'messaging.process.duration',
      ],
    });
  });

  it('with the API but no SDK: nothing recorded, nothing stored, everything works', async () => {
    const result = await runUntilExit(child, ['none']);
    assert.deepEqual(result, {
      instrumented: true,
      traceparentStored: false,
      counted: 1,
      spans: [],
      metrics: [],
    });
  });

  it('with EVENTSOURCING_TELEMETRY=no: off', async () => {
    const env = { ...process.env, EVENTSOURCING_TELEMETRY: 'no' };
    const result = await runUntilExit(child, ['off'], env);
    assert.deepEqual(result, {
      instrumented: false,
      traceparentStored: false,
      counted: 1,
      spans: [],
      metrics: [],
    });
  });
});
