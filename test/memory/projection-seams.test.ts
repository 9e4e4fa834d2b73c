import { MemoryApplicationRecorder, MemoryProcessRecorder } from '../../src/memory/index.js';
import { subscriptionPagesContract } from '../../src/testing/index.js';

subscriptionPagesContract(() => new MemoryApplicationRecorder());
subscriptionPagesContract(() => new MemoryProcessRecorder());
