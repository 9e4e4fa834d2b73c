import { createHash } from 'node:crypto';
import type { Subscription } from '../persistence/recorders.js';
import type { Notification } from '../persistence/stored-event.js';
import { authorizationResponse } from './authorization-response.js';
import { errorResponse } from './error-response.js';
import { heartbeatStream } from './heartbeat-stream.js';
import { integerParam } from './integer-param.js';
import type {
  NotificationLogInterface,
  SubscribableNotificationLogInterface,
} from './notification-log-interface.js';
import { encodeNotificationItem, pythonJsonDumps } from './wire-format.js';

/** A WHATWG fetch handler: a `Request` in, a `Response` out (Node, Bun, Deno, Hono, …). */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of `createNotificationLogHandler`. */
export interface NotificationLogHandlerOptions {
  /** The path the log is served under, e.g. `/notifications` (default: the root). */
  basePath?: string;
  /**
   * Decides whether a request may read the log. `true` serves it; `false` answers 401 when the
   * request has no `Authorization` header and 403 when it has one; a `Response` is sent as it
   * is. An error it throws answers 500.
   */
  authorize?: (request: Request) => boolean | Response | Promise<boolean | Response>;
  /**
   * The most notifications a selection may ask for (default 1,000): a larger `limit` is a 400.
   * The default `limit` when none is given.
   */
  maxLimit?: number;
  /**
   * Called with an unexpected error (the service's, `authorize`'s) before a 500 is sent, and
   * with an error that ends a stream.
   */
  onError?: (error: unknown) => void;
  /**
   * Milliseconds between the heartbeat lines of a stream, `{"heartbeat": <ms since epoch>}`
   * (default 15,000).
   */
  heartbeatInterval?: number;
  /**
   * Aborting it ends every open stream cleanly (each body ends after its last complete line,
   * the subscription and timer released) and answers later stream requests 503: abort it
   * before `server.close()`, which waits for open responses to end. Sections and selections
   * are still served.
   */
  signal?: AbortSignal;
}

const sectionIdPattern = /^(\d{1,15}),(\d{1,15})$/;
const knownParameters = new Set(['start', 'limit', 'topics', 'inclusive_of_start', 'stop']);
const streamParameters = new Set(['gt', 'topics']);

/**
 * Serves a notification log (usually `new NotificationLogJSONService(app)`) over HTTP as a
 * WHATWG fetch handler, never throwing:
 *
 * - `GET {basePath}/{first},{last}`: a section, `{"id", "next_id", "items"}`. A full section
 *   never changes, so it carries `Cache-Control: public, max-age=31536000, immutable`; a
 *   partial or empty one `no-cache`. Both carry an ETag, and `If-None-Match` gets a 304.
 * - `GET {basePath}?start=&limit=&topics=&inclusive_of_start=&stop=`: a JSON array of at most
 *   `limit` notifications from `start` (default 1), of the `topics` (repeated, or separated by
 *   commas), `inclusive_of_start` `1`/`0` or `true`/`false` (default true), up to `stop`.
 *
 * - `GET {basePath}/stream?gt=&topics=`: when the service has `subscribe` (as
 *   `NotificationLogJSONService` does; 404 otherwise), newline-delimited JSON
 *   (`application/x-ndjson`) that stays open: one line per notification recorded with an id
 *   greater than `gt` (default: all), in order, each an item of the wire format, and a line
 *   `{"heartbeat": <ms since epoch>}` at once and then every `heartbeatInterval`. It ends when
 *   the client goes away or the `signal` aborts, leaving no subscription or timer behind.
 *   `HttpNotificationLogInterface.subscribe` reads it.
 *
 * Selections, and a 400 for a limit over the maximum, carry `X-Max-Limit: {maxLimit}`.
 * A bad request (a malformed section id or parameter, a limit over `maxLimit`, an unknown
 * parameter) is a 400 with a JSON body `{"error": "..."}` saying what was wrong; other methods
 * are 405, other paths 404.
 */
export function createNotificationLogHandler(
  service: NotificationLogInterface,
  options: NotificationLogHandlerOptions = {},
): FetchHandler {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  if (basePath !== '' && !basePath.startsWith('/')) {
    throw new TypeError(`basePath must start with "/", got ${JSON.stringify(options.basePath)}.`);
  }
  const maxLimit = options.maxLimit ?? 1000;
  if (!Number.isSafeInteger(maxLimit) || maxLimit < 1) {
    throw new RangeError(`maxLimit must be a positive integer, got ${maxLimit}.`);
  }
  const heartbeatInterval = options.heartbeatInterval ?? 15_000;
  if (!(heartbeatInterval > 0) || !Number.isFinite(heartbeatInterval)) {
    throw new RangeError(`heartbeatInterval must be positive, got ${heartbeatInterval}.`);
  }
  const { authorize, onError, signal: closing } = options;
  const subscribable =
    typeof (service as Partial<SubscribableNotificationLogInterface>).subscribe === 'function'
      ? (service as SubscribableNotificationLogInterface)
      : null;

  const report = (error: unknown): void => {
    try {
      onError?.(error);
    } catch {
      // An observer's error must not crash the server.
    }
  };

  const failed = (error: unknown): Response => {
    report(error);
    return errorResponse(500, 'The notification log could not be read: try again later.');
  };

  return async (request: Request): Promise<Response> => {
    try {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return errorResponse(400, `Invalid request URL ${JSON.stringify(request.url)}.`);
      }
      const path = url.pathname;
      let sectionId: string | null = null;
      if (path === basePath || path === `${basePath}/`) {
        sectionId = null;
      } else if (
        path.startsWith(`${basePath}/`) &&
        !path.slice(basePath.length + 1).includes('/')
      ) {
        sectionId = safeDecode(path.slice(basePath.length + 1));
      } else {
        return errorResponse(
          404,
          `Not found: the notification log is served under "${basePath}/".`,
        );
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return errorResponse(405, `Method ${request.method} not allowed: use GET.`, {
          Allow: 'GET, HEAD',
        });
      }
      let refused: Response | null;
      try {
        refused = await authorizationResponse(authorize, request, 'this notification log');
      } catch (error) {
        return failed(error);
      }
      if (refused !== null) return refused;
      const head = request.method === 'HEAD';
      if (sectionId === 'stream') return serveStream(url.searchParams, request, head);
      if (sectionId !== null) return await serveSection(sectionId, request, head);
      return await serveSelection(url.searchParams, head);
    } catch (error) {
      return failed(error);
    }
  };

  async function serveSection(
    sectionId: string,
    request: Request,
    head: boolean,
  ): Promise<Response> {
    const match = sectionIdPattern.exec(sectionId);
    if (match === null || Number(match[1]) < 1 || Number(match[2]) < Number(match[1])) {
      return errorResponse(
        400,
        `Invalid section id ${JSON.stringify(sectionId)}: expected "first,last" with ` +
          '1 <= first <= last, e.g. "1,10" (follow "next_id" from there).',
      );
    }
    let body: string;
    try {
      body = await service.getLogSection(sectionId, { signal: request.signal });
    } catch (error) {
      if (error instanceof RangeError) return errorResponse(400, error.message);
      return failed(error);
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    const full = /"next_id": *"/.test(body);
    const headers: Record<string, string> = {
      'Cache-Control': full ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: etag,
    };
    if (matchesETag(request.headers.get('if-none-match'), etag)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(head ? null : body, {
      status: 200,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  }

  async function serveSelection(params: URLSearchParams, head: boolean): Promise<Response> {
    for (const key of params.keys()) {
      if (!knownParameters.has(key)) {
        return errorResponse(
          400,
          `Unknown parameter ${JSON.stringify(key)}: expected start, limit, topics, ` +
            'inclusive_of_start or stop.',
        );
      }
    }
    for (const key of ['start', 'limit', 'inclusive_of_start', 'stop']) {
      if (params.getAll(key).length > 1) {
        return errorResponse(400, `Parameter "${key}" given more than once: give it once.`);
      }
    }
    const start = integerParam(params, 'start');
    if (start instanceof Response) return start;
    const limit = integerParam(params, 'limit');
    if (limit instanceof Response) return limit;
    const stop = integerParam(params, 'stop');
    if (stop instanceof Response) return stop;
    if (limit !== null && limit > maxLimit) {
      return errorResponse(
        400,
        `limit ${limit} is over this server's maximum page of ${maxLimit}: ask for at most ` +
          `${maxLimit} and read on from the last id returned.`,
        { 'X-Max-Limit': String(maxLimit) },
      );
    }
    let inclusiveOfStart = true;
    const inclusive = params.get('inclusive_of_start');
    if (inclusive !== null) {
      if (inclusive === '1' || inclusive === 'true') inclusiveOfStart = true;
      else if (inclusive === '0' || inclusive === 'false') inclusiveOfStart = false;
      else {
        return errorResponse(
          400,
          `Invalid inclusive_of_start ${JSON.stringify(inclusive)}: expected 1, 0, true or false.`,
        );
      }
    }
    const topics = params
      .getAll('topics')
      .flatMap((value) => value.split(','))
      .filter((topic) => topic !== '');
    let body: string;
    try {
      body = await service.getNotifications(start, limit ?? maxLimit, {
        topics,
        inclusiveOfStart,
        stop,
      });
    } catch (error) {
      if (error instanceof RangeError) return errorResponse(400, error.message);
      return failed(error);
    }
    return new Response(head ? null : body, {
      status: 200,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-cache',
        'X-Max-Limit': String(maxLimit),
      },
    });
  }

  function serveStream(params: URLSearchParams, request: Request, head: boolean): Response {
    if (subscribable === null) {
      return errorResponse(404, 'Not found: this notification log is not served as a stream.');
    }
    for (const key of params.keys()) {
      if (!streamParameters.has(key)) {
        return errorResponse(
          400,
          `Unknown parameter ${JSON.stringify(key)}: a stream takes gt and topics.`,
        );
      }
    }
    if (params.getAll('gt').length > 1) {
      return errorResponse(400, 'Parameter "gt" given more than once: give it once.');
    }
    const gt = integerParam(params, 'gt');
    if (gt instanceof Response) return gt;
    if (closing?.aborted) {
      return errorResponse(503, 'The server is closing: try again later.', {
        'Retry-After': '1',
        Connection: 'close',
      });
    }
    // A stream holds its connection until it ends: `Connection: close` lets a closing server
    // (`server.close()`) finish as soon as its streams do, with no keep-alive left to wait for.
    const headers = {
      'Content-Type': 'application/x-ndjson',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
      Connection: 'close',
    };
    if (head) return new Response(null, { status: 200, headers });
    const topics = params
      .getAll('topics')
      .flatMap((value) => value.split(','))
      .filter((topic) => topic !== '');
    return new Response(streamBody(subscribable, gt, topics, request.signal), {
      status: 200,
      headers,
    });
  }

  function streamBody(
    source: SubscribableNotificationLogInterface,
    gt: number | null,
    topics: string[],
    requestSignal: AbortSignal,
  ): ReadableStream<Uint8Array> {
    const ended = new AbortController();
    const subscription = source.subscribe(gt, { topics, signal: ended.signal });
    // Whole pages when the subscription has them (the recorders' do): one write per page.
    const paged = subscription as Partial<Pick<Subscription, 'nextPage'>>;
    const nextPage = paged.nextPage?.bind(subscription);
    const iterator = nextPage === undefined ? subscription[Symbol.asyncIterator]() : null;
    const heartbeat = (): string => `{"heartbeat": ${Date.now()}}\n`;
    return heartbeatStream<readonly Notification[]>({
      first: heartbeat(),
      async next() {
        if (nextPage !== undefined) return (await nextPage())?.items ?? null;
        const result = await (iterator as AsyncIterator<Notification>).next();
        return result.done ? null : [result.value];
      },
      // A page of filtered-out notifications has no items: nothing to send, read on.
      encode(page) {
        let lines = '';
        for (const notification of page) {
          lines += `${pythonJsonDumps(encodeNotificationItem(notification))}\n`;
        }
        return lines;
      },
      heartbeat,
      heartbeatInterval,
      signals: closing === undefined ? [requestSignal] : [closing, requestSignal],
      onEnd() {
        ended.abort();
        subscription.stop();
      },
      onError: report,
    });
  }
}

function matchesETag(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
