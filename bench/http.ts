/**
 * The `http` entries of `npm run bench` on one backend (issue 14): W1's log, on fresh storage
 * filled as W1 fills it (the dogs registered, then each round of tricks), served by
 * `createNotificationLogHandler(new NotificationLogJSONService(app))` through `toNodeListener`
 * on 127.0.0.1, and read whole by a remote follower, `NotificationLogJSONClient` over
 * `HttpNotificationLogInterface` with the application's mapper decoding every event, beside
 * the application's own log read and decode of the same log in the same run. Both read in
 * pages of 1,000 (the server's largest); passes alternate, after an unreported one of each,
 * and each figure is the median pass.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createNotificationLogHandler,
  HttpNotificationLogInterface,
  type NodeRequestListener,
  NotificationLogJSONClient,
  NotificationLogJSONService,
  toNodeListener,
} from 'eventsourcing/interface';
import { type BackendName, openStore, type StoreSettings } from './backends.js';
import { DogSchool, namedApplication } from './dog-school.js';
import type { HttpFigures } from './http-report.js';
import { readNotificationLog } from './library-w1.js';
import { median, READ_PASSES, ratePerSecond, runPool } from './pool.js';
import type { Progress } from './w1-figures.js';
import { fmt } from './w1-phases.js';

/** The sizes of the `http` entries: W1's. */
export interface HttpOptions {
  readonly dogs: number;
  readonly tricks: number;
}

/** The page of both reads: the server's largest selection (the handler's default `maxLimit`). */
const PAGE_SIZE = 1000;
/** Commands in flight while the log is filled (its contents do not depend on it). */
const FILL_IN_FLIGHT = 8;

/** Fills W1's log on fresh storage, serves it, and times the remote and the local read. */
export async function measureHttp(
  backend: BackendName,
  settings: StoreSettings,
  options: HttpOptions,
  progress: Progress,
): Promise<HttpFigures> {
  const store = await openStore(backend, settings);
  try {
    const App = namedApplication(DogSchool, store.appName);
    App.logSectionSize = PAGE_SIZE;
    const app = await App.create({ env: store.env });
    try {
      const notifications = await fillW1(app, options);
      progress(`${backend} http: ${fmt(notifications)} notifications written`);
      const server = await listen(
        toNodeListener(createNotificationLogHandler(new NotificationLogJSONService(app))),
      );
      try {
        const { port } = server.address() as AddressInfo;
        const remote = {
          notificationLog: new NotificationLogJSONClient(
            new HttpNotificationLogInterface(`http://127.0.0.1:${port}`),
          ),
          mapper: app.mapper,
        };
        const read = async (from: typeof remote | typeof app, what: string) => {
          const count = await readNotificationLog(from, PAGE_SIZE);
          if (count !== notifications) {
            throw new Error(`${what} read ${count} notifications, expected ${notifications}`);
          }
        };
        // Unreported: V8 warms up both paths, and the client opens its connection.
        await read(app, 'the local log');
        await read(remote, 'the remote follower');
        const local: number[] = [];
        const http: number[] = [];
        for (let pass = 0; pass < READ_PASSES; pass++) {
          local.push(await ratePerSecond(notifications, () => read(app, 'the local log')));
          http.push(await ratePerSecond(notifications, () => read(remote, 'the remote follower')));
        }
        const figures: HttpFigures = {
          backend,
          notifications,
          notifications_per_s: median(http),
          local_notifications_per_s: median(local),
        };
        progress(
          `${backend} http: over HTTP ${fmt(figures.notifications_per_s)}/s, local ` +
            `${fmt(figures.local_notifications_per_s)}/s ` +
            `(${(figures.notifications_per_s / figures.local_notifications_per_s).toFixed(2)}×)`,
        );
        return figures;
      } finally {
        await close(server);
      }
    } finally {
      await app.close();
    }
  } finally {
    await store.dispose();
  }
}

/** W1's commands, untimed: the dogs registered, then each round of tricks; the events made. */
async function fillW1(app: DogSchool, { dogs, tricks }: HttpOptions): Promise<number> {
  const ids = new Array<string>(dogs);
  await runPool(FILL_IN_FLIGHT, dogs, async (i) => {
    ids[i] = await app.registerDog(`dog-${i}`);
  });
  for (let round = 0; round < tricks; round++) {
    const trick = `trick-${round}`;
    await runPool(FILL_IN_FLIGHT, dogs, (i) => app.addTrick(ids[i]!, trick));
  }
  return dogs * (tricks + 1);
}

/** A `node:http` server with `listener` on 127.0.0.1, on a port the system picks. */
function listen(listener: NodeRequestListener): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(listener);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Closes the server and its keep-alive connections. */
function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
