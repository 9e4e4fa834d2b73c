/**
 * Checks that a backend works before benchmarking it: loads the library's module, registers and
 * gets one dog on fresh storage. For SQLite it also reads the settings the library applied.
 */
import Database from 'better-sqlite3';
import {
  type BackendName,
  loadPersistenceModule,
  openStore,
  type StoreSettings,
} from './backends.js';
import { DogSchool, namedApplication } from './dog-school.js';

/** What a successful probe found out. */
export interface ProbeResult {
  /** SQLite only: the journal mode of the library's database file. */
  journalMode: string | null;
  /** SQLite only: the library's `synchronous`, when its datastore exposes it. */
  synchronous: string | null;
}

/** Probes the backend; rejects with the reason it cannot be benchmarked. */
export async function probeBackend(
  backend: BackendName,
  settings: StoreSettings,
): Promise<ProbeResult> {
  await loadPersistenceModule(backend);
  const store = await openStore(backend, settings);
  try {
    const App = namedApplication(DogSchool, store.appName);
    const app = await App.create({ env: store.env });
    let synchronous: string | null = null;
    try {
      const id = await app.registerDog('probe');
      await app.addTrick(id, 'sit');
      const dog = await app.getDog(id);
      if (dog.tricks.length !== 1) throw new Error('the probe dog lost its trick');
      const datastore = (app.recorder as { datastore?: { synchronous?: unknown } }).datastore;
      if (typeof datastore?.synchronous === 'string') synchronous = datastore.synchronous;
    } finally {
      await app.close();
    }
    let journalMode: string | null = null;
    if (store.sqlitePath !== null) {
      const db = new Database(store.sqlitePath, { readonly: true });
      journalMode = String(db.pragma('journal_mode', { simple: true })).toUpperCase();
      db.close();
    }
    return { journalMode, synchronous };
  } finally {
    await store.dispose();
  }
}
