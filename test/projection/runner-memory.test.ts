import { MemoryCountersView } from './fixtures/counters.js';
import { runnerSuite } from './runner-suite.js';

runnerSuite({
  name: 'memory',
  viewClass: MemoryCountersView,
  persistent: false,
  env: () => ({ PERSISTENCE_MODULE: 'memory' }),
});
