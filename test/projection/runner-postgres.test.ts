// The runner suite on PostgreSQL: unique application and projection names per test (so
// unique tables), all dropped afterwards.
import { after } from 'node:test';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { PostgresCountersView } from './fixtures/counters.js';
import { runnerSuite, tablePrefix } from './runner-suite.js';

whenPostgres(() => {
  after(() => dropPrefix(tablePrefix()));
  runnerSuite({
    name: 'PostgreSQL',
    viewClass: PostgresCountersView,
    persistent: true,
    env: () => ({ PERSISTENCE_MODULE: 'postgres', ...baseEnv }),
  });
});
