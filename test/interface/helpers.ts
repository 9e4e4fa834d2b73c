// Shared by the interface tests: a real node:http server on 127.0.0.1 serving a handler, and a
// follower that records what it processes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import { type FetchHandler, toNodeListener } from '../../src/interface/index.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { Follower } from '../../src/system/follower.js';

/** A running server: its base URL, and how to stop it (leaving no connection open). */
export interface TestServer {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:{port}{basePath}`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the handler on 127.0.0.1, on the given port (default: a free one). */
export async function serve(handler: FetchHandler, basePath = '', port = 0): Promise<TestServer> {
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}${basePath}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A follower that records the events it processes, with their tracking. */
export class Recorder extends Follower {
  readonly seen: { id: number; originatorId: string; version: number; event: DomainEventLike }[] =
    [];

  override policy(
    domainEvent: DomainEventLike,
    processingEvent: { tracking: Tracking | null },
  ): void {
    this.seen.push({
      id: processingEvent.tracking?.notificationId ?? -1,
      originatorId: domainEvent.originatorId,
      version: domainEvent.originatorVersion,
      event: domainEvent,
    });
  }
}
