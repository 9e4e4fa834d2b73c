// Runner.runForever, the runner's own promise, on SingleThreadedRunner and ConcurrentRunner
// (MultiProcessRunner's is tested with it): resolves after its timeout, when its signal aborts
// and when the runner is stopped; rejects with the runner's EventProcessingError when a
// policy fails, having stopped the runner.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { EventProcessingError } from '../../src/system/errors.js';
import type { Runner } from '../../src/system/runner.js';
import { SingleThreadedRunner } from '../../src/system/single-threaded-runner.js';
import { System } from '../../src/system/system.js';
import { BankAccounts, EmailProcess, FailingProcess } from './fixtures/bank.js';

const runners: [string, (system: System) => Runner][] = [
  ['SingleThreadedRunner', (system) => new SingleThreadedRunner(system)],
  ['ConcurrentRunner', (system) => new ConcurrentRunner(system)],
];

for (const [name, make] of runners) {
  describe(`${name}.runForever`, () => {
    it('resolves after its timeout, and the runner goes on', async () => {
      await using runner = make(new System([[BankAccounts, EmailProcess]]));
      await runner.start();
      const t0 = performance.now();
      await runner.runForever({ timeout: 100 });
      assert.ok(performance.now() - t0 >= 90);
      await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
      await runner.get(EmailProcess).recorder.wait('BankAccounts', 1, { timeout: 5000 });
    });

    it('resolves when its signal aborts (at once when already aborted)', async () => {
      await using runner = make(new System([[BankAccounts, EmailProcess]]));
      await runner.start();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await runner.runForever({ signal: controller.signal });
      await runner.runForever({ signal: AbortSignal.abort() });
    });

    it('resolves when the runner is stopped, and at once after', async () => {
      const runner = make(new System([[BankAccounts, EmailProcess]]));
      await runner.start();
      const forever = runner.runForever();
      await runner.stop();
      await forever;
      await runner.runForever();
    });

    it('rejects with the EventProcessingError of a policy error, having stopped the runner', async () => {
      const runner = make(new System([[BankAccounts, FailingProcess]]));
      await runner.start();
      const forever = runner.runForever({ timeout: 10_000 });
      // SingleThreadedRunner's save itself rejects too.
      await runner
        .get(BankAccounts)
        .openAccount('Bad', 'bad@example.com')
        .catch(() => {});
      let failure: unknown = null;
      await assert.rejects(forever, (error) => {
        failure = error;
        return error instanceof EventProcessingError && error.cause instanceof RangeError;
      });
      await assert.rejects(runner.stop(), (error) => error === failure);
      await assert.rejects(runner.runForever(), (error) => error === failure);
    });
  });
}
