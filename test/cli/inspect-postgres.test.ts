// The inspecting commands on PostgreSQL: every application of the test in one schema, where
// `lag` finds the projection's and the follower's tracking tables by itself.
import { whenPostgres } from '../postgres/helpers.js';
import { postgresBackend } from '../system/backends.js';
import { inspectionSuite } from './inspection-suite.js';

whenPostgres(() => {
  inspectionSuite(postgresBackend('clipg'), {
    countersExport: 'postgresCounters',
    readersFoundByLooking: true,
  });
});
