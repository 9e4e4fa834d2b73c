// Makes the built-in persistence modules values of PERSISTENCE_MODULE (with Python's names), so
// that `InfrastructureFactory.construct` resolves them synchronously. It sits above the
// persistence layer and the backends, so that neither imports the other to register it; the
// application layer and the root export import it. Drivers still load on first use only.
import { MemoryFactory } from './memory/memory-factory.js';
import { registerPersistenceModule } from './persistence/infrastructure-factory.js';
import { PostgresFactory } from './postgres/postgres-factory.js';
import { SQLiteFactory } from './sqlite/sqlite-factory.js';

registerPersistenceModule('memory', MemoryFactory);
registerPersistenceModule('popo', MemoryFactory);
registerPersistenceModule('eventsourcing.popo', MemoryFactory);
registerPersistenceModule('sqlite', SQLiteFactory);
registerPersistenceModule('eventsourcing.sqlite', SQLiteFactory);
registerPersistenceModule('postgres', PostgresFactory);
registerPersistenceModule('eventsourcing.postgres', PostgresFactory);
// Python's names of its DCB persistence modules: the same factories make DCB recorders.
registerPersistenceModule('eventsourcing.dcb.popo', MemoryFactory);
registerPersistenceModule('eventsourcing.dcb.postgres_tt', PostgresFactory);
