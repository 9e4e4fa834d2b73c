import { sqliteBackend } from './backends.js';
import { singleThreadedRunnerSuite } from './single-threaded-runner-suite.js';

singleThreadedRunnerSuite(sqliteBackend);
