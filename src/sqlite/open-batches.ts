import type { SqliteDatabase } from './driver.js';

/**
 * The connections on which a view's batch (`SQLiteTrackingRecorder.recordBatch`) holds a write
 * transaction open across awaits: other writes on them wait until it ends.
 *
 * @internal
 */
export const openBatches = new WeakSet<SqliteDatabase>();
