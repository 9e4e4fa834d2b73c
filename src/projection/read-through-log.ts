import type { Application } from '../application/application.js';
import type { NotificationLog } from '../application/notification-log.js';
import type { ApplicationRecorder, Subscription } from '../persistence/recorders.js';
import { NotificationLogSubscription } from './notification-log-subscription.js';

/** Options of `readThroughLog`. */
export interface ReadThroughLogOptions {
  /** Milliseconds between reads of a log that cannot push (default 1000). */
  pollInterval?: number | undefined;
}

/**
 * The application as a reader of `log` sees it: the same application, whose recorder's reads
 * (`subscribe`, `selectNotifications`, `maxNotificationId`) go to the log instead, such as
 * another process's log over HTTP. What subscribes to it (a runner's loop) reads pages with
 * `select`, woken by the log's stream when it has one. `maxNotificationId` reads the log's
 * pages after the greatest id read so far (a log has no head of its own), so it costs as many
 * requests as there are pages not yet read.
 *
 * @internal
 */
export function readThroughLog(
  app: Application,
  log: NotificationLog,
  options: ReadThroughLogOptions = {},
): Application {
  const { pollInterval } = options;
  let seen = 0;
  const recorder: ApplicationRecorder = Object.create(app.recorder);
  recorder.subscribe = (subscribeOptions = {}): Subscription => {
    const subscription = new NotificationLogSubscription(log, {
      ...subscribeOptions,
      ...(pollInterval === undefined ? {} : { pollInterval }),
    });
    const nextPage = subscription.nextPage.bind(subscription);
    subscription.nextPage = async () => {
      const page = await nextPage();
      if (page !== null) seen = Math.max(seen, page.position);
      return page;
    };
    return subscription;
  };
  recorder.selectNotifications = (start, limit, selectOptions) =>
    log.select(start, limit, selectOptions);
  recorder.maxNotificationId = async () => {
    const limit = log.selectLimit ?? 1000;
    for (;;) {
      const page = await log.select(seen, limit, { inclusiveOfStart: false });
      const last = page.at(-1);
      if (last === undefined) return seen === 0 ? null : seen;
      seen = last.id;
    }
  };
  const source: Application = Object.create(app);
  Object.defineProperty(source, 'recorder', { value: recorder });
  return source;
}
