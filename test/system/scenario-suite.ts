// The scenario suite (issue 13): the bank with accounts, the email/notification process, the
// audit follower and the Commands/Results loop, driven through a runner on a backend, must end
// in the snapshot written down from the workload alone: the same aggregates (ids, versions,
// state), the same events in each application's log (topics and count), each follower's
// tracking at its leaders' ends, and each upstream event audited exactly once (an AuditEntry
// per leader notification, whose id a second processing would clash with). On a persistent
// backend a second runner on the same databases then processes nothing again.
//
// scenarioSuite takes how to make a runner of a system, and optionally how to wait for it to
// be quiescent, so that any runner can be run through it (MultiProcessRunner: ignore the
// system object and give `scenarioSystemRef`, the module reference of the same system).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { System } from '../../src/system/system.js';
import type { EnvType } from '../../src/utils/environment.js';
import { freshEnv, type SystemBackend } from './backends.js';
import {
  driveScenario,
  expectedScenarioSnapshot,
  readScenarioSnapshot,
  type ScenarioRunner,
  waitForQuiescence,
} from './fixtures/scenario-snapshot.js';
import { scenarioSystem } from './fixtures/scenario-system.js';

/** How the suite runs the scenario under one kind of runner. */
export interface ScenarioHarness {
  /** The runner's name, for the tests' names. */
  readonly name: string;
  /** A runner of the system with the environment (not started). */
  makeRunner(system: System, env: EnvType): ScenarioRunner | Promise<ScenarioRunner>;
  /**
   * Resolves once the system has processed everything (default: `waitForQuiescence`, which
   * waits for every follower's tracking; SingleThreadedRunner needs nothing).
   */
  waitForQuiescence?(runner: ScenarioRunner, system: System): Promise<void>;
}

async function quiesce(harness: ScenarioHarness, runner: ScenarioRunner): Promise<void> {
  try {
    await (harness.waitForQuiescence ?? waitForQuiescence)(runner, scenarioSystem);
  } catch (error) {
    // A processing failure is why it never became quiescent: stop() rejects with it.
    await runner.stop();
    throw error;
  }
}

/** Defines the scenario tests of the runner on the backend. */
export function scenarioSuite(harness: ScenarioHarness, backend: SystemBackend): void {
  describe(`the bank scenario under ${harness.name} on ${backend.name}`, () => {
    it('ends in the snapshot written down from the workload: same aggregates, same events, each upstream event processed exactly once', async () => {
      const expected = expectedScenarioSnapshot();
      const env = await freshEnv(backend, scenarioSystem.nodes.keys());
      const runner = await harness.makeRunner(scenarioSystem, env);
      try {
        await runner.start();
        await driveScenario(runner);
        await quiesce(harness, runner);
        const actual = await readScenarioSnapshot(runner, scenarioSystem);
        assert.deepEqual(actual, expected);
      } finally {
        await runner.stop();
      }
      if (!backend.persistent) return;
      // A new runner on the same databases resumes from the tracking: nothing is processed
      // again (a second AuditEntry or Email would be an IntegrityError stopping it).
      const again = await harness.makeRunner(scenarioSystem, env);
      try {
        await again.start();
        await quiesce(harness, again);
        assert.deepEqual(await readScenarioSnapshot(again, scenarioSystem), expected);
      } finally {
        await again.stop();
      }
    });
  });
}
