import { after } from 'node:test';
import { ConcurrentRunner } from '../../src/system/concurrent-runner.js';
import { whenPostgres } from '../postgres/helpers.js';
import { memoryBackend, postgresBackend, sqliteBackend } from './backends.js';
import { type ScenarioHarness, scenarioSuite } from './scenario-suite.js';

const harness: ScenarioHarness = {
  name: 'ConcurrentRunner',
  // Small pages, so that a follower's backlog is processed in several transactions.
  makeRunner: (system, env) => new ConcurrentRunner(system, { env, batchSize: 4 }),
};

scenarioSuite(harness, memoryBackend);
scenarioSuite(harness, sqliteBackend);
whenPostgres(() => {
  const backend = postgresBackend('sysscco');
  after(() => backend.tearDown());
  scenarioSuite(harness, backend);
});
