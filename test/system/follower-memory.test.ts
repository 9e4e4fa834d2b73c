import { memoryBackend } from './backends.js';
import { followerSuite } from './follower-suite.js';

followerSuite(memoryBackend);
