import type { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { subscriptionPagesContract } from '../../src/testing/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

// Each test gets a unique name: its tables are prefixed by it, and dropped after the test.
const factories = new WeakMap<object, { factory: InfrastructureFactory; name: string }>();

function make<R extends object>(pick: (factory: PostgresFactory) => R): (name: string) => R {
  return (name) => {
    const factory = new PostgresFactory(new Environment(name, { ...baseEnv }));
    const recorder = pick(factory);
    factories.set(recorder, { factory, name });
    return recorder;
  };
}

async function dispose(recorder: object): Promise<void> {
  const entry = factories.get(recorder);
  if (entry === undefined) return;
  await entry.factory.close();
  await dropPrefix(entry.name);
}

whenPostgres(() => {
  subscriptionPagesContract(
    make((f) => f.applicationRecorder()),
    { dispose },
  );
});
