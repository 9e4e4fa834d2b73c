// The event browser in Chromium over an application stored in a SQLite file, read by a
// StoreInspector opened from the environment (as `eventsourcing serve` reads it), the
// projection's view in a file of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreInspector } from '../../src/interface/store-inspector.js';
import { SQLiteTrackingRecorder } from '../../src/sqlite/sqlite-tracking-recorder.js';
import { browserSuite } from './browser-suite.js';
import { DogSchool } from './fixtures/dog-school.js';
import { whenChromium } from './helpers.js';

let dir: string | null = null;

whenChromium(() =>
  browserSuite({
    backend: 'SQLite',
    applicationClass: DogSchool,
    env() {
      dir = mkdtempSync(join(tmpdir(), 'browser-sqlite-'));
      return {
        PERSISTENCE_MODULE: 'sqlite',
        SQLITE_DBNAME: join(dir, 'dog-school.db'),
        BROWSERDOGNAMES_SQLITE_DBNAME: join(dir, 'browser-dog-names.db'),
      };
    },
    viewClass: SQLiteTrackingRecorder,
    inspector: (_app, env) => StoreInspector.open('DogSchool', env),
    basePath: '',
    async cleanup() {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  }),
);
