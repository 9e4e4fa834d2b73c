/** What `heartbeatStream` sends, and when it ends. */
export interface HeartbeatStreamOptions<T> {
  /** Sent first, at once (a heartbeat, or a stream's opening message). */
  readonly first: string;
  /**
   * The next item, waiting for one; null when there are no more (the stream ends). Not called
   * again until the previous call has settled.
   */
  next(): Promise<T | null>;
  /** The text of an item: '' sends nothing and reads on (e.g. a page with nothing to send). */
  encode(item: T): string;
  /** The text of a heartbeat, sent every `heartbeatInterval` after `first`. */
  heartbeat(): string;
  /** Milliseconds between heartbeats while nothing else is sent. */
  readonly heartbeatInterval: number;
  /** Aborting any of them ends the stream (the request's signal, the handler's). */
  readonly signals: readonly AbortSignal[];
  /** Called once when the stream ends, however it ends: release what `next` reads from. */
  onEnd(): void;
  /** Told of an error of `next` (which ends the stream), unless the stream had ended. */
  onError(error: unknown): void;
}

/**
 * A response body that sends `first`, then each item `next` gives as it comes, and a heartbeat
 * every `heartbeatInterval` (so that proxies and clients see the connection alive). It pulls only as the reader reads (no buffering beyond one item),
 * and ends cleanly, after the last complete item, when a signal aborts, the items end or fail,
 * or the reader cancels, leaving no timer or listener behind. The notification log's NDJSON
 * stream and the event browser's server-sent events both use it.
 *
 * @internal
 */
export function heartbeatStream<T>(options: HeartbeatStreamOptions<T>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const ended = new AbortController();
  let pending: Promise<T | null> | null = null;
  let lastBeat = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | null = null;
  const end = (): void => {
    if (ended.signal.aborted) return;
    ended.abort();
    clearTimeout(timer);
    for (const signal of options.signals) signal.removeEventListener('abort', end);
    wake?.();
    options.onEnd();
  };
  const close = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    try {
      controller.close();
    } catch {
      // Already cancelled by the reader: nothing to close.
    }
  };
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string): void => {
    controller.enqueue(encoder.encode(text));
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
        send(controller, options.first);
      },
      async pull(controller) {
        // Loops until it has enqueued something or closed: a pull that returns having done
        // neither is not called again.
        for (;;) {
          if (ended.signal.aborted) {
            close(controller);
            return;
          }
          if (pending === null) {
            pending = options.next();
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
          let result: T | null | 'beat';
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
            send(controller, options.heartbeat());
            return;
          }
          pending = null;
          if (result === null) {
            end();
            close(controller);
            return;
          }
          const text = options.encode(result);
          if (text === '') continue;
          send(controller, text);
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
