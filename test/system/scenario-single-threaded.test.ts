import { after } from 'node:test';
import { SingleThreadedRunner } from '../../src/system/single-threaded-runner.js';
import { whenPostgres } from '../postgres/helpers.js';
import { memoryBackend, postgresBackend, sqliteBackend } from './backends.js';
import { type ScenarioHarness, scenarioSuite } from './scenario-suite.js';

const harness: ScenarioHarness = {
  name: 'SingleThreadedRunner',
  makeRunner: (system, env) => new SingleThreadedRunner(system, { env }),
  // An awaited save returns once the system has processed it: nothing to wait for.
  waitForQuiescence: async () => {},
};

scenarioSuite(harness, memoryBackend);
scenarioSuite(harness, sqliteBackend);
whenPostgres(() => {
  const backend = postgresBackend('sysscst');
  after(() => backend.tearDown());
  scenarioSuite(harness, backend);
});
