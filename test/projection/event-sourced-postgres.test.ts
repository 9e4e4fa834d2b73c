// The event-sourced suite on PostgreSQL: unique application names (so unique tables), all
// dropped afterwards.
import { after } from 'node:test';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { eventSourcedSuite } from './event-sourced-suite.js';
import { tablePrefix } from './runner-suite.js';

whenPostgres(() => {
  after(() => dropPrefix(tablePrefix('es')));
  eventSourcedSuite({
    name: 'PostgreSQL',
    persistent: true,
    env: () => ({ PERSISTENCE_MODULE: 'postgres', ...baseEnv }),
  });
});
