import type { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import {
  aggregateRecorderContract,
  applicationRecorderContract,
  processRecorderContract,
  trackingRecorderContract,
} from '../../src/testing/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

// Each contract test gets a unique name: its recorder's tables are prefixed by it, and dropped
// (with the write function) after the test.
const factories = new WeakMap<object, { factory: InfrastructureFactory; name: string }>();

function make<R extends object>(
  extra: Record<string, string>,
  pick: (factory: PostgresFactory) => R,
): (name: string) => R {
  return (name) => {
    const factory = new PostgresFactory(new Environment(name, { ...baseEnv, ...extra }));
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
  const uuid = { dispose, textIds: false };
  const text = { dispose, textIds: true };
  const textEnv = { ORIGINATOR_ID_TYPE: 'text' };
  aggregateRecorderContract(
    make({}, (f) => f.aggregateRecorder('snapshots')),
    uuid,
  );
  aggregateRecorderContract(
    make(textEnv, (f) => f.aggregateRecorder('snapshots')),
    text,
  );
  applicationRecorderContract(
    make({}, (f) => f.applicationRecorder()),
    uuid,
  );
  applicationRecorderContract(
    make(textEnv, (f) => f.applicationRecorder()),
    text,
  );
  trackingRecorderContract(
    make({}, (f) => f.trackingRecorder()),
    uuid,
  );
  trackingRecorderContract(
    make({ SINGLE_ROW_TRACKING: 'no' }, (f) => f.trackingRecorder()),
    uuid,
  );
  processRecorderContract(
    make({}, (f) => f.processRecorder()),
    uuid,
  );
  processRecorderContract(
    make({ ...textEnv, SINGLE_ROW_TRACKING: 'no' }, (f) => f.processRecorder()),
    text,
  );
});
