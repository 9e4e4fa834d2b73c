// The scenario suite under MultiProcessRunner: a child process per follower (Notifications,
// AuditTrail, Results, Commands), on SQLite (one file per application) and PostgreSQL (a
// schema per test). The runner imports the system by its module reference; the parent's
// applications, of the same module, issue the commands and read the final state.
import { after } from 'node:test';
import { MultiProcessRunner } from '../../src/system/multi-process-runner.js';
import { whenPostgres } from '../postgres/helpers.js';
import { postgresBackend, sqliteBackend } from './backends.js';
import { scenarioSystemRef } from './fixtures/scenario-system.js';
import { type ScenarioHarness, scenarioSuite } from './scenario-suite.js';

const harness: ScenarioHarness = {
  name: 'MultiProcessRunner',
  // Small pages, so that a follower's backlog is processed in several transactions.
  makeRunner: (_system, env) => new MultiProcessRunner(scenarioSystemRef, { env, batchSize: 4 }),
};

scenarioSuite(harness, sqliteBackend);
whenPostgres(() => {
  const backend = postgresBackend('sysscmp');
  after(() => backend.tearDown());
  scenarioSuite(harness, backend);
});
