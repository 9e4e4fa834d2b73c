import { after } from 'node:test';
import { whenPostgres } from '../postgres/helpers.js';
import { postgresBackend } from './backends.js';
import { followerSuite } from './follower-suite.js';

whenPostgres(() => {
  const backend = postgresBackend('sysfol');
  after(() => backend.tearDown());
  followerSuite(backend);
});
