// The root export holds the everyday names only; everything in it is the same object as in its
// layer's subpath (two copies of a class would break instanceof).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as application from '../../src/application/index.js';
import * as domain from '../../src/domain/index.js';
import * as root from '../../src/index.js';
import * as persistence from '../../src/persistence/index.js';

describe('the root export', () => {
  it('leaves out the machinery that persistence modules and tests use', () => {
    for (const internal of [
      'NotificationSubscription',
      'NotificationSignal',
      'pollForTracking',
      'DEFAULT_WAIT_TIMEOUT',
      'clearTopicCache',
      'lookupTopic',
      'formatSectionId',
      'builtinTranscodings',
      'registerPersistenceModule',
      'Cache',
    ]) {
      assert.equal(internal in root, false, internal);
    }
  });

  it('holds the everyday names, each the same object as in its layer', () => {
    const names = Object.keys(root);
    assert.ok(names.length <= 70, `${names.length} names`);
    for (const name of [
      'Aggregate',
      'aggregate',
      'event',
      'Application',
      'Repository',
      'IntegrityError',
      'InfrastructureFactory',
      'Environment',
    ]) {
      assert.ok(name in root, name);
    }
    const layers: Record<string, unknown>[] = [domain, application, persistence];
    for (const name of names) {
      const value = (root as Record<string, unknown>)[name];
      const from = name === 'DatabaseProgrammingError' ? 'ProgrammingError' : name;
      const same = layers.some((layer) => layer[from] === value);
      const domainError = name === 'ProgrammingError' && value === domain.ProgrammingError;
      assert.ok(same || domainError, `${name} is not its layer's own`);
    }
    assert.equal(root.DatabaseProgrammingError, persistence.ProgrammingError);
    assert.equal(root.ProgrammingError, domain.ProgrammingError);
  });

  it('registers the built-in persistence modules', async () => {
    await using factory = root.InfrastructureFactory.construct({
      PERSISTENCE_MODULE: 'sqlite',
      SQLITE_DBNAME: ':memory:',
    });
    assert.equal(factory.constructor.name, 'SQLiteFactory');
  });
});
