import { whenPostgres } from '../postgres/helpers.js';
import { postgresBackend } from '../system/backends.js';
import { httpSuite } from './http-suite.js';

whenPostgres(() => httpSuite(postgresBackend('ifhttp')));
