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
  const encoder = new TextEncoder();
  const ended = new AbortController();
  let iterator: AsyncIterator<BrowserEvent> | null = null;
  let pending: Promise<IteratorResult<BrowserEvent>> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | null = null;
  let lastBeat = Date.now();
  const end = (): void => {
    if (ended.signal.aborted) return;
    ended.abort();
    clearTimeout(timer);
    for (const signal of options.signals) signal.removeEventListener('abort', end);
    wake?.();
    const it = iterator;
    iterator = null;
    // Settles the iterator's waiting `next()` and releases the subscription.
    it?.return?.().catch(() => {});
  };
  const close = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    try {
      controller.close();
    } catch {
      // Already cancelled by the reader: nothing to close.
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        for (const signal of options.signals) {
          if (signal.aborted) {
            end();
            close(controller);
            return;
          }
          signal.addEventListener('abort', end, { once: true });
        }
        iterator = subscribe(ended.signal)[Symbol.asyncIterator]();
        // `id: gt` makes an EventSource that reconnects before any notification came resume
        // after gt (its Last-Event-ID), not after whatever the head is by then.
        const id = gt === null ? '' : `id: ${gt}\n`;
        controller.enqueue(
          encoder.encode(`retry: 2000\n${id}event: ready\ndata: ${JSON.stringify({ gt })}\n\n`),
        );
      },
      async pull(controller) {
        // Loops until it has enqueued something or closed: a pull that returns having done
        // neither is not called again.
        for (;;) {
          if (ended.signal.aborted || iterator === null) {
            close(controller);
            return;
          }
          if (pending === null) {
            pending = iterator.next();
            // Settled after the stream ended: nobody waits for it any more.
            pending.catch(() => {});
          }
          const beat = new Promise<'beat'>((resolve) => {
            wake = () => resolve('beat');
            timer = setTimeout(
              wake,
              Math.max(0, lastBeat + options.heartbeatInterval - Date.now()),
            );
          });
          let result: IteratorResult<BrowserEvent> | 'beat';
          try {
            result = await Promise.race([pending, beat]);
          } catch (error) {
            if (!ended.signal.aborted) options.onError(error);
            end();
            close(controller);
            return;
          } finally {
            clearTimeout(timer);
            wake = null;
          }
          if (ended.signal.aborted) {
            close(controller);
            return;
          }
          if (result === 'beat') {
            lastBeat = Date.now();
            controller.enqueue(encoder.encode(': heartbeat\n\n'));
            return;
          }
          pending = null;
          if (result.done === true) {
            end();
            close(controller);
            return;
          }
          const event = result.value;
          const id = event.id === null ? '' : `id: ${event.id}\n`;
          controller.enqueue(
            encoder.encode(`${id}event: notification\ndata: ${JSON.stringify(event)}\n\n`),
          );
          return;
        }
      },
      cancel() {
        end();
      },
    },
    { highWaterMark: 0 },
  );
}
