import { eventSourcedSuite } from './event-sourced-suite.js';

eventSourcedSuite({
  name: 'memory',
  persistent: false,
  env: () => ({ PERSISTENCE_MODULE: 'memory' }),
});
