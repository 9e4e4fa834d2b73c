import type { InsertEventsOptions } from '../persistence/recorders.js';

/**
 * Options passed through `Application.save` to the recorder's `insertEvents`: the TypeScript form
 * of Python's `app.save(page, insert_pages=...)`, for custom recorders that write more than events
 * in the same transaction. Pass one among the items to save:
 * `await app.save(page, new RecorderOptions({ insertPages: [page] }))`.
 */
export class RecorderOptions {
  /** What the application passes to the recorder's `insertEvents` as its options. */
  readonly options: InsertEventsOptions;

  /** Wraps the options to pass to the recorder (see the class's description). */
  constructor(options: InsertEventsOptions) {
    this.options = options;
  }
}
