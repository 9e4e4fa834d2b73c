import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FetchHandler } from './notification-log-handler.js';

/** A `node:http` request listener. */
export type NodeRequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Adapts a WHATWG fetch handler (such as `createNotificationLogHandler`'s) to `node:http`:
 * `http.createServer(toNodeListener(handler))`. The request's body is not read (the handler
 * serves GET); the response's body is streamed with back-pressure; a client that goes away
 * aborts the request's `signal` and cancels the body. An error the handler throws is a 500.
 */
export function toNodeListener(handler: FetchHandler): NodeRequestListener {
  return (req, res) => {
    void respond(handler, req, res);
  };
}

async function respond(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(new Error('The client closed the connection.'));
  };
  res.on('close', onClose);
  // The body is never read: let it drain so that a keep-alive connection stays usable.
  req.resume();
  try {
    let response: Response;
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || name.startsWith(':')) continue;
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else headers.set(name, value);
      }
      const host = req.headers.host ?? 'localhost';
      const request = new Request(new URL(req.url ?? '/', `http://${host}`), {
        method: req.method ?? 'GET',
        headers,
        signal: controller.signal,
      });
      response = await handler(request);
    } catch {
      response = new Response(JSON.stringify({ error: 'Internal server error.' }), {
        status: 500,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    if (res.destroyed) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') res.setHeader(name, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    if (response.body === null || req.method === 'HEAD') {
      await response.body?.cancel().catch(() => {});
      res.end();
      return;
    }
    const reader = response.body.getReader();
    // A client that goes away while the body waits for its next chunk cancels the body.
    const cancel = (): void => {
      if (!res.writableFinished) {
        reader.cancel(new Error('The client closed the connection.')).catch(() => {});
      }
    };
    res.on('close', cancel);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (res.destroyed) break;
        if (!res.write(value)) {
          await new Promise<void>((resolve) => {
            const settle = (): void => {
              res.off('drain', settle);
              res.off('close', settle);
              resolve();
            };
            res.on('drain', settle);
            res.on('close', settle);
          });
        }
      }
    } finally {
      res.off('close', cancel);
      if (res.destroyed) await reader.cancel().catch(() => {});
      else reader.releaseLock();
    }
    if (!res.destroyed) res.end();
  } catch {
    // A failure while streaming: the headers are sent, so all that is left is to close.
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}
