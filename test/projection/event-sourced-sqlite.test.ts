// The event-sourced suite on SQLite: the upstream application and the projection (an
// application) each in a file of their own, chosen with their scoped keys.
import { tempDbPath } from '../sqlite/helpers.js';
import { eventSourcedSuite } from './event-sourced-suite.js';

const files = new Map<string, string>();
const fileOf = (name: string): string => {
  let path = files.get(name);
  if (path === undefined) {
    path = tempDbPath(name);
    files.set(name, path);
  }
  return path;
};

eventSourcedSuite({
  name: 'SQLite',
  persistent: true,
  env: (appName, projectionName) => ({
    PERSISTENCE_MODULE: 'sqlite',
    [`${appName.toUpperCase()}_SQLITE_DBNAME`]: fileOf(appName),
    [`${projectionName.toUpperCase()}_SQLITE_DBNAME`]: fileOf(projectionName),
  }),
});
