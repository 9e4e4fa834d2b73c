import type { InsertEventsOptions } from '../persistence/recorders.js';

/**
 * Options passed through `Application.save` to the recorder's `insertEvents`: the TypeScript form
 * of Python's `app.save(page, insert_pages=...)`, for custom recorders that write more than events
 * in the same transaction. Pass one among the items to save:
 * `await app.save(page, new RecorderOptions({ insertPages: [page] }))`.
 */
export class RecorderOptions {
  readonly options: InsertEventsOptions;

  constructor(options: InsertEventsOptions) {
    this.options = options;
  }
}
