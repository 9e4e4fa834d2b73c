import { after } from 'node:test';
import { whenPostgres } from '../postgres/helpers.js';
import { postgresBackend } from './backends.js';
import { singleThreadedRunnerSuite } from './single-threaded-runner-suite.js';

whenPostgres(() => {
  const backend = postgresBackend('sysstr');
  after(() => backend.tearDown());
  singleThreadedRunnerSuite(backend);
});
