/**
 * The web event browser: `createEventBrowserHandler` serves one page (the notification log
 * paged and filtered by topic, an aggregate's history with each event's fields, a live tail,
 * the lag of projections and followers) and the JSON API it reads, as a WHATWG fetch handler
 * over an application: mount it in a server of your own (`toNodeListener` for `node:http`,
 * Express, Hono, Bun, Deno), or run `eventsourcing serve`. Read-only, with an `authorize` hook
 * as the notification log's handler has.
 *
 * @packageDocumentation
 */

export type { JsonValue } from '../interface/json-value.js';
export type { BrowserEvent } from './browser-event.js';
export type { BrowserLag } from './browser-lag.js';
export {
  createEventBrowserHandler,
  type EventBrowserHandlerOptions,
} from './event-browser-handler.js';
