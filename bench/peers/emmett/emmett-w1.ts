/**
 * W1 on Emmett, written as Emmett's documentation writes an event-sourced module: events as
 * `{ type, data }`, the state rebuilt by `evolve` from `initialState`, one decision function per
 * command, a `CommandHandler` that reads the stream, decides and appends with an optimistic
 * concurrency check, and `aggregateStream` to get the state. The stores are Emmett's own:
 * `getInMemoryEventStore()`, `getSQLiteEventStore({ fileName })` and
 * `getPostgreSQLEventStore(connectionString)`. The whole log is read with Emmett's
 * `readMessagesBatch` (what its consumers pull with), in pages.
 *
 * Emmett is installed into this folder by `npm run bench:peers` and never committed (it ships
 * without a licence), so it is imported by name at run time and the few signatures used here are
 * declared below, as Emmett 0.42's type declarations state them; the project type-checks without
 * Emmett installed.
 */
import { randomUUID } from 'node:crypto';
import type { W1Subject } from '../../w1-phases.js';

/** An Emmett event: a type and its data (Emmett's `Event<Type, Data>`). */
interface EmmettEvent<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
}

/** A dog was registered. */
type DogRegistered = EmmettEvent<'DogRegistered', { dogId: string; name: string }>;
/** A dog learned a trick. */
type TrickAdded = EmmettEvent<'TrickAdded', { dogId: string; trick: string }>;
/** Every event of a dog's stream. */
type DogEvent = DogRegistered | TrickAdded;

/** A dog's state, rebuilt from its events. */
interface Dog {
  readonly status: 'Empty' | 'Registered';
  readonly name: string;
  readonly tricks: readonly string[];
}

const initialState = (): Dog => ({ status: 'Empty', name: '', tricks: [] });

const evolve = (state: Dog, { type, data }: DogEvent): Dog => {
  switch (type) {
    case 'DogRegistered':
      return { status: 'Registered', name: data.name, tricks: [] };
    case 'TrickAdded':
      return { ...state, tricks: [...state.tricks, data.trick] };
  }
};

/** Decides the registration of a dog. */
const registerDog = (command: { dogId: string; name: string }, state: Dog): DogRegistered => {
  if (state.status !== 'Empty') throw new Error(`dog ${command.dogId} is already registered`);
  return { type: 'DogRegistered', data: command };
};

/** Decides a trick for a registered dog. */
const addTrick = (command: { dogId: string; trick: string }, state: Dog): TrickAdded => {
  if (state.status !== 'Registered') throw new Error(`dog ${command.dogId} is not registered`);
  return { type: 'TrickAdded', data: command };
};

const streamName = (dogId: string): string => `dog-${dogId}`;

/** The part of Emmett's `EventStore` that W1 uses. */
interface EmmettEventStore {
  aggregateStream(
    streamName: string,
    options: { evolve: (state: Dog, event: DogEvent) => Dog; initialState: () => Dog },
  ): Promise<{ state: Dog; currentStreamVersion: bigint; streamExists: boolean }>;
}

/** What Emmett's `CommandHandler({ evolve, initialState, mapToStreamId })` returns. */
type EmmettHandle = (
  store: EmmettEventStore,
  id: string,
  decide: (state: Dog) => DogEvent,
) => Promise<{ newState: Dog; newEvents: DogEvent[] }>;

/** A page of Emmett's `readMessagesBatch`. */
interface MessagesBatch {
  readonly currentGlobalPosition: bigint;
  readonly messages: readonly { readonly type: string; readonly data: unknown }[];
}

interface EmmettModule {
  CommandHandler(options: {
    evolve: (state: Dog, event: DogEvent) => Dog;
    initialState: () => Dog;
    mapToStreamId: (id: string) => string;
  }): EmmettHandle;
  getInMemoryEventStore(): EmmettEventStore;
}

interface SQLiteConnection {
  querySingle<T>(sql: string): Promise<T | null>;
}

interface EmmettSQLiteModule {
  SQLiteConnectionPool(options: { fileName: string }): {
    withConnection<R>(handle: (connection: SQLiteConnection) => Promise<R>): Promise<R>;
    close(): Promise<void>;
  };
  getSQLiteEventStore(options: {
    fileName: string;
    pool: ReturnType<EmmettSQLiteModule['SQLiteConnectionPool']>;
  }): EmmettEventStore & { schema: { migrate(): Promise<void> } };
  readMessagesBatch(
    connection: SQLiteConnection,
    options: { after: bigint; batchSize: number },
  ): Promise<MessagesBatch>;
}

interface DumboPool {
  readonly execute: unknown;
}

interface EmmettPostgresModule {
  getPostgreSQLEventStore(
    connectionString: string,
    options: { connectionOptions: { dumbo: DumboPool } },
  ): EmmettEventStore & { schema: { migrate(): Promise<unknown> }; close(): Promise<void> };
  readMessagesBatch(
    execute: DumboPool['execute'],
    options: { after: bigint; batchSize: number },
  ): Promise<MessagesBatch>;
}

interface DumboModule {
  dumbo(options: { connectionString: string }): DumboPool;
}

/** Imports one of Emmett's packages from this folder's node_modules. */
function load<T>(name: string): Promise<T> {
  // A variable specifier: resolved at run time only, so tsc never looks for Emmett.
  const specifier: string = name;
  return import(specifier) as Promise<T>;
}

/** Where an Emmett event store of one run keeps its events. */
export type EmmettTarget =
  | { readonly backend: 'memory' }
  | { readonly backend: 'sqlite'; readonly fileName: string }
  | { readonly backend: 'postgres'; readonly connectionString: string };

/** An Emmett event store opened for one W1 run, with W1's operations on it. */
export interface EmmettW1 {
  readonly subject: W1Subject;
  /** SQLite only: Emmett's `journal_mode` and `synchronous`, as its connections set them. */
  sqliteSettings(): Promise<{ journal_mode: string; synchronous: string } | null>;
  close(): Promise<void>;
}

/** Opens an Emmett event store on `target` (schema created, not timed) and W1 over it. */
export async function openEmmettW1(target: EmmettTarget): Promise<EmmettW1> {
  const emmett = await load<EmmettModule>('@event-driven-io/emmett');
  const handle = emmett.CommandHandler({ evolve, initialState, mapToStreamId: streamName });
  const operations = (store: EmmettEventStore) => ({
    register: async (i: number) => {
      const dogId = randomUUID();
      await handle(store, dogId, (state) => registerDog({ dogId, name: `dog-${i}` }, state));
      return dogId;
    },
    command: async (dogId: string, trick: string) => {
      await handle(store, dogId, (state) => addTrick({ dogId, trick }, state));
    },
    get: async (dogId: string) => {
      const { state } = await store.aggregateStream(streamName(dogId), { evolve, initialState });
      return state.tricks.length;
    },
  });
  const noSettings = async () => null;

  if (target.backend === 'memory') {
    const store = emmett.getInMemoryEventStore();
    return {
      // Emmett's in-memory store has no API that reads every stream's events in order.
      subject: { label: 'emmett ', readName: 'read', ...operations(store), readAll: null },
      sqliteSettings: noSettings,
      close: async () => {},
    };
  }

  if (target.backend === 'sqlite') {
    const sqlite = await load<EmmettSQLiteModule>('@event-driven-io/emmett-sqlite');
    const pool = sqlite.SQLiteConnectionPool({ fileName: target.fileName });
    const store = sqlite.getSQLiteEventStore({ fileName: target.fileName, pool });
    await store.schema.migrate();
    const readAll = (pageSize: number) =>
      pool.withConnection((connection) =>
        readLog((after) => sqlite.readMessagesBatch(connection, { after, batchSize: pageSize })),
      );
    return {
      subject: { label: 'emmett ', readName: 'read', ...operations(store), readAll },
      sqliteSettings: () =>
        pool.withConnection(async (connection) => {
          const journal = await connection.querySingle<{ journal_mode: string }>(
            'PRAGMA journal_mode',
          );
          const sync = await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous');
          const names = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
          return {
            journal_mode: String(journal?.journal_mode ?? 'unknown').toUpperCase(),
            synchronous: names[sync?.synchronous ?? -1] ?? 'unknown',
          };
        }),
      close: () => pool.close(),
    };
  }

  const postgres = await load<EmmettPostgresModule>('@event-driven-io/emmett-postgresql');
  const { dumbo } = await load<DumboModule>('@event-driven-io/dumbo');
  const pool = dumbo({ connectionString: target.connectionString });
  const store = postgres.getPostgreSQLEventStore(target.connectionString, {
    connectionOptions: { dumbo: pool },
  });
  await store.schema.migrate();
  const readAll = (pageSize: number) =>
    readLog((after) => postgres.readMessagesBatch(pool.execute, { after, batchSize: pageSize }));
  return {
    subject: { label: 'emmett ', readName: 'read', ...operations(store), readAll },
    sqliteSettings: noSettings,
    close: () => store.close(),
  };
}

/** Reads pages until one is empty; resolves to the number of events read. */
async function readLog(page: (after: bigint) => Promise<MessagesBatch>): Promise<number> {
  let count = 0;
  let after = 0n;
  for (;;) {
    const batch = await page(after);
    const n = batch.messages.length;
    if (n === 0) return count;
    for (let i = 0; i < n; i++) {
      if (typeof batch.messages[i]!.type !== 'string')
        throw new Error('read an event without a type');
    }
    count += n;
    after = batch.currentGlobalPosition;
  }
}
