/**
 * A notification log over HTTP (Python's `eventsourcing.interface`): leaders and followers in
 * different processes, machines and languages. `NotificationLogJSONService` serves an
 * application's log as the Python library's JSON; `createNotificationLogHandler` serves that
 * as a WHATWG fetch handler (`toNodeListener` adapts it to `node:http`);
 * `HttpNotificationLogInterface` is the client side over `fetch`, and
 * `NotificationLogJSONClient` turns either back into a `NotificationLog` for a `Follower` or a
 * `NotificationLogReader` (reading pages of 1,000 at once). New notifications are pushed too:
 * the handler serves the service's `subscribe` as newline-delimited JSON with heartbeats
 * (`GET {basePath}/stream`), and `HttpNotificationLogInterface.subscribe` follows it,
 * reconnecting from the last id seen, or polling where a server has no stream. The wire
 * format's encoders and decoders are exported too.
 *
 * @packageDocumentation
 */

export {
  HttpNotificationLogInterface,
  type HttpNotificationLogInterfaceOptions,
  type HttpSubscribeOptions,
  NotificationLogHttpError,
} from './http-notification-log-interface.js';
export { type NodeRequestListener, toNodeListener } from './node-listener.js';
export {
  createNotificationLogHandler,
  type FetchHandler,
  type NotificationLogHandlerOptions,
} from './notification-log-handler.js';
export type {
  GetLogSectionOptions,
  GetNotificationsOptions,
  NotificationLogInterface,
  NotificationSubscription,
  SubscribableNotificationLogInterface,
  SubscribeNotificationsOptions,
} from './notification-log-interface.js';
export {
  NotificationLogJSONClient,
  type NotificationLogJSONClientOptions,
} from './notification-log-json-client.js';
export {
  NotificationLogJSONService,
  type NotificationLogJSONServiceOptions,
  type NotificationLogSource,
} from './notification-log-json-service.js';
export {
  decodeNotificationItem,
  decodeNotifications,
  decodeSection,
  encodeNotificationItem,
  encodeNotifications,
  encodeSection,
  type NotificationItemJSON,
  pythonJsonDumps,
  type SectionJSON,
  type WireFormatOptions,
} from './wire-format.js';
