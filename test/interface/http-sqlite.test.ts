import { sqliteBackend } from '../system/backends.js';
import { httpSuite } from './http-suite.js';

httpSuite(sqliteBackend);
