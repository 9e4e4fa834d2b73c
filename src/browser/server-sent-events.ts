import { heartbeatStream } from '../interface/heartbeat-stream.js';
import type { BrowserEvent } from './browser-event.js';

/** How a tail's stream reads and reports. */
export interface ServerSentEventsOptions {
  /** Milliseconds between heartbeat comments (`: heartbeat`). */
  readonly heartbeatInterval: number;
  /** Ends the stream: the request's signal (client gone) and the handler's. */
  readonly signals: readonly AbortSignal[];
  /** Called with an error that ended the stream. */
  readonly onError: (error: unknown) => void;
}

/**
 * A `text/event-stream` body of the events `subscribe` yields: first `event: ready` (data
 * `{"gt": …}`, and `id:` gt, so that a reconnect before any notification resumes after gt), then one `event: notification` per event (`id:` its notification id, so that a
 * reconnecting `EventSource` sends `Last-Event-ID`; data its JSON on one line), and a
 * `: heartbeat` comment every `heartbeatInterval`. It ends cleanly (after the last complete
 * message) when a signal aborts, the events end or fail, or the reader cancels, and then leaves
 * no subscription, listener or timer behind.
 *
 * @internal
 */
export function serverSentEvents(
  gt: number | null,
  subscribe: (signal: AbortSignal) => AsyncIterable<BrowserEvent>,
  options: ServerSentEventsOptions,
): ReadableStream<Uint8Array> {
  const ended = new AbortController();
  let iterator: AsyncIterator<BrowserEvent> | null = null;
  // `id: gt` makes an EventSource that reconnects before any notification came resume after gt
  // (its Last-Event-ID), not after whatever the head is by then.
  const id = gt === null ? '' : `id: ${gt}\n`;
  return heartbeatStream<BrowserEvent>({
    first: `retry: 2000\n${id}event: ready\ndata: ${JSON.stringify({ gt })}\n\n`,
    async next() {
      iterator ??= subscribe(ended.signal)[Symbol.asyncIterator]();
      const result = await iterator.next();
      return result.done === true ? null : result.value;
    },
    encode(event) {
      const eventId = event.id === null ? '' : `id: ${event.id}\n`;
      return `${eventId}event: notification\ndata: ${JSON.stringify(event)}\n\n`;
    },
    heartbeat: () => ': heartbeat\n\n',
    heartbeatInterval: options.heartbeatInterval,
    signals: options.signals,
    onEnd() {
      ended.abort();
      // Settles the iterator's waiting `next()` and releases the subscription.
      iterator?.return?.().catch(() => {});
    },
    onError: options.onError,
  });
}
