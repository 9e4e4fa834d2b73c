// The event browser in Chromium over an application stored in PostgreSQL (127.0.0.1:5432,
// database `test`), mounted under a base path and read through the application's own
// recorder (StoreInspector.forApplication), the projection's view in the same database.
import { StoreInspector } from '../../src/interface/store-inspector.js';
import { PostgresTrackingRecorder } from '../../src/postgres/postgres-tracking-recorder.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { browserSuite } from './browser-suite.js';
import { DogSchool } from './fixtures/dog-school.js';
import { whenChromium } from './helpers.js';

/** Its tables are browserdogschool_*: nothing else in the test database uses that prefix. */
class BrowserDogSchool extends DogSchool {}

whenPostgres(() =>
  whenChromium(() =>
    browserSuite({
      backend: 'PostgreSQL',
      applicationClass: BrowserDogSchool,
      env: () => ({ PERSISTENCE_MODULE: 'postgres', ...baseEnv }),
      viewClass: PostgresTrackingRecorder,
      inspector: (app) => StoreInspector.forApplication(app),
      basePath: '/events',
      async cleanup() {
        await dropPrefix('browserdogschool');
        await dropPrefix('browserdognames');
      },
    }),
  ),
);
