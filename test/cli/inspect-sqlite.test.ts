// The inspecting commands on SQLite: one file per application (APPNAME_SQLITE_DBNAME), so the
// projection's view and the follower live in files of their own, named to `lag` with
// --projection and --follower.
import { sqliteBackend } from '../system/backends.js';
import { inspectionSuite } from './inspection-suite.js';

inspectionSuite(sqliteBackend, { countersExport: 'sqliteCounters', readersFoundByLooking: false });
