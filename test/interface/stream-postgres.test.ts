import { whenPostgres } from '../postgres/helpers.js';
import { postgresBackend } from '../system/backends.js';
import { streamSuite } from './stream-suite.js';

whenPostgres(() => streamSuite(postgresBackend('ifstream')));
