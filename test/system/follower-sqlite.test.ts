import { sqliteBackend } from './backends.js';
import { followerSuite } from './follower-suite.js';

followerSuite(sqliteBackend);
