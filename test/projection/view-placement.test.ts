// Where a view lives: keys scoped by the projection's name put it in another database than
// the application's (another SQLite file, or PostgreSQL), and constructing a runner does no I/O.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';
import { PostgresCountersView, SQLiteCountersView } from './fixtures/counters.js';
import { names, tablePrefix } from './runner-suite.js';

describe('where a view lives', () => {
  it('constructs a runner without I/O: stopped at once, it creates no database file', async () => {
    const { Up, Counters } = names('vp');
    const appFile = tempDbPath('app');
    const viewFile = tempDbPath('view');
    const runner = new ProjectionRunner({
      applicationClass: Up,
      projectionClass: Counters,
      viewClass: SQLiteCountersView,
      env: {
        PERSISTENCE_MODULE: 'sqlite',
        SQLITE_DBNAME: appFile,
        [`${Counters.name.toUpperCase()}_SQLITE_DBNAME`]: viewFile,
      },
    });
    await runner.stop();
    assert.equal(existsSync(appFile), false);
    assert.equal(existsSync(viewFile), false);
  });

  it('keeps the view in its own SQLite file, apart from the application', async () => {
    const { Up, Counters } = names('vp');
    const appFile = tempDbPath('app');
    const viewFile = tempDbPath('view');
    await using runner = new ProjectionRunner({
      applicationClass: Up,
      projectionClass: Counters,
      viewClass: SQLiteCountersView,
      env: {
        PERSISTENCE_MODULE: 'sqlite',
        SQLITE_DBNAME: appFile,
        [`${Counters.name.toUpperCase()}_SQLITE_DBNAME`]: viewFile,
      },
    });
    await runner.wait(await runner.app.createWith(1), { timeout: 5000 });
    assert.equal(await runner.view.subsequent(), 1);
    assert.ok(existsSync(appFile) && existsSync(viewFile));
  });

  whenPostgres(() => {
    it('keeps the view in PostgreSQL while the application is on SQLite', async (t) => {
      t.after(() => dropPrefix(tablePrefix('vp')));
      const { Up, Counters } = names('vp');
      const scope = Counters.name.toUpperCase();
      await using runner = new ProjectionRunner({
        applicationClass: Up,
        projectionClass: Counters,
        viewClass: PostgresCountersView,
        env: {
          PERSISTENCE_MODULE: 'sqlite',
          SQLITE_DBNAME: tempDbPath('app'),
          [`${scope}_PERSISTENCE_MODULE`]: 'postgres',
          ...Object.fromEntries(Object.entries(baseEnv).map(([k, v]) => [`${scope}_${k}`, v])),
        },
      });
      assert.equal(runner.app.factory.constructor.name, 'SQLiteFactory');
      assert.ok(runner.view instanceof PostgresCountersView);
      await runner.wait(await runner.app.createWith(2), { timeout: 5000 });
      assert.equal(await runner.view.created(), 1);
      assert.equal(await runner.view.subsequent(), 2);
    });
  });
});
