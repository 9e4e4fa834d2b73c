import { sqliteBackend } from '../system/backends.js';
import { streamSuite } from './stream-suite.js';

streamSuite(sqliteBackend);
