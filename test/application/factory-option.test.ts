import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Application } from '../../src/application/application.js';
import { MemoryFactory } from '../../src/memory/index.js';
import { SQLiteFactory } from '../../src/sqlite/index.js';
import { Environment } from '../../src/utils/environment.js';
import { tempDbPath } from '../sqlite/helpers.js';

class Bank extends Application {}

describe('the factory option of an application', () => {
  it('takes a function that makes the factory from the application environment', async () => {
    const seen: Environment[] = [];
    const dbName = tempDbPath();
    await using app = new Bank({
      env: { BANK_LOG_LEVEL: 'x' },
      factory: (env) => {
        seen.push(env);
        return new SQLiteFactory(new Environment(env.name, { ...env.vars, SQLITE_DBNAME: dbName }));
      },
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.name, 'Bank');
    assert.equal(seen[0]?.get('LOG_LEVEL'), 'x');
    assert.ok(app.factory instanceof SQLiteFactory);
    assert.equal(app.factory.datastore.dbName, dbName);
  });

  it('gives Application.create the same function, called once', async () => {
    let calls = 0;
    await using app = await Bank.create({
      factory: (env) => {
        calls += 1;
        return new MemoryFactory(env);
      },
    });
    assert.equal(calls, 1);
    assert.ok(app.factory instanceof MemoryFactory);
  });

  it('still takes a factory made beforehand', async () => {
    const factory = new MemoryFactory(new Environment('Bank'));
    await using app = new Bank({ factory });
    assert.equal(app.factory, factory);
  });
});
