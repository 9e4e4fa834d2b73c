// The runner suite on SQLite: the application in one file, each view in a file of its own
// (the tracking table is named `tracking`, so two views need two files), chosen with the
// projection's scoped key `<PROJECTIONNAME>_SQLITE_DBNAME`.
import { tempDbPath } from '../sqlite/helpers.js';
import { SQLiteCountersView } from './fixtures/counters.js';
import { runnerSuite } from './runner-suite.js';

const files = new Map<string, string>();
const fileOf = (name: string): string => {
  let path = files.get(name);
  if (path === undefined) {
    path = tempDbPath(name);
    files.set(name, path);
  }
  return path;
};

runnerSuite({
  name: 'SQLite (application and view in two files)',
  viewClass: SQLiteCountersView,
  persistent: true,
  env: (appName, projectionName) => ({
    PERSISTENCE_MODULE: 'sqlite',
    SQLITE_DBNAME: fileOf(appName),
    [`${projectionName.toUpperCase()}_SQLITE_DBNAME`]: fileOf(projectionName),
  }),
});
