import { setTimeout as sleep } from 'node:timers/promises';
import { OperationalError } from '../persistence/errors.js';
import type { Notification } from '../persistence/stored-event.js';
import type {
  GetLogSectionOptions,
  GetNotificationsOptions,
  NotificationSubscription,
  SubscribableNotificationLogInterface,
  SubscribeNotificationsOptions,
} from './notification-log-interface.js';
import { decodeNotificationItem, decodeNotifications } from './wire-format.js';

/** Options of `HttpNotificationLogInterface.subscribe`. */
export interface HttpSubscribeOptions extends SubscribeNotificationsOptions {
  /**
   * Whether originator ids are text (`ORIGINATOR_ID_TYPE=text`), kept as they are; by default
   * 32-character hex ids are turned back into hyphenated UUIDs.
   */
  textIds?: boolean;
  /**
   * Milliseconds without a line (a notification or a heartbeat) after which the stream is taken
   * for dropped and reopened (default 45,000: three of the server's default heartbeats).
   */
  idleTimeout?: number;
  /** Milliseconds between polls when polling finds nothing new (default 1,000). */
  pollInterval?: number;
  /** The longest wait, in milliseconds, between attempts to reconnect (default 5,000). */
  maxRetryDelay?: number;
  /**
   * Told of each error that is retried (a dropped stream, a refused connection, a 5xx):
   * nothing is lost, the subscription reconnects with backoff from the last id seen.
   */
  onRetry?: (error: unknown) => void;
}

/** Options of `HttpNotificationLogInterface`. */
export interface HttpNotificationLogInterfaceOptions {
  /** Headers sent with every request, e.g. `{ Authorization: 'Bearer …' }`. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Milliseconds each request may take, body included, before it fails (default 30,000). */
  timeout?: number;
  /** Aborting it makes every request, current and later, fail with the signal's reason. */
  signal?: AbortSignal;
  /** The `fetch` used (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * An HTTP request to a notification log that failed: the server answered with an error
 * status (`status` set, `message` with the server's error), could not be reached, or did not
 * answer in time (`status` null; `cause` says why). An `OperationalError`, so that a runner
 * following a remote leader retries it with backoff, unless `retryable` is false (a 4xx such
 * as 400, 401 or 403, which no retry mends: the runner stops with it).
 */
export class NotificationLogHttpError extends OperationalError {
  /** `'NotificationLogHttpError'`. */
  override name = 'NotificationLogHttpError';
  /** The HTTP status of the answer, or null when there was none. */
  readonly status: number | null;
  /** The URL requested. */
  readonly url: string;

  constructor(message: string, url: string, status: number | null, options?: ErrorOptions) {
    super(message, options);
    this.url = url;
    this.status = status;
  }

  /**
   * Whether trying again may succeed: no answer, a dropped body, a 5xx, 408 or 429 (true), or
   * another 4xx (false).
   */
  get retryable(): boolean {
    const status = this.status;
    return status === null || status < 400 || status >= 500 || status === 408 || status === 429;
  }
}

/**
 * The client side of `createNotificationLogHandler`: a `NotificationLogInterface` over HTTP
 * with `fetch`. Give it to a `NotificationLogJSONClient` to follow a leader in another process:
 * `follower.follow('Leader', new NotificationLogJSONClient(new HttpNotificationLogInterface(url)))`.
 * `baseUrl` is the URL the handler serves under (its `basePath`). Each request has a timeout
 * and honours the `signal`s given; an error status becomes a `NotificationLogHttpError` with
 * the status and the server's error message. Nothing stays open between calls but the
 * `fetch`'s idle keep-alive connections, which never keep a process alive.
 *
 * `getNotifications` never asks for more than the server's maximum page once it knows it (the
 * handler's `X-Max-Limit` header): a larger limit is lowered to it. `subscribe` follows the
 * handler's stream.
 */
export class HttpNotificationLogInterface implements SubscribableNotificationLogInterface {
  /** The URL the log is served under, without a trailing slash. */
  readonly baseUrl: string;
  /** Milliseconds each request may take. */
  readonly timeout: number;
  private readonly headers: HttpNotificationLogInterfaceOptions['headers'];
  private readonly signal: AbortSignal | undefined;
  private readonly fetch: typeof fetch;
  private serverMaxLimit: number | null = null;

  constructor(baseUrl: string | URL, options: HttpNotificationLogInterfaceOptions = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be an http: or https: URL, got ${url.href}.`);
    }
    if (url.search !== '' || url.hash !== '') {
      throw new TypeError(`baseUrl must have no query or fragment, got ${url.href}.`);
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    const timeout = options.timeout ?? 30_000;
    if (!(timeout > 0)) throw new RangeError(`timeout must be positive, got ${timeout}.`);
    this.timeout = timeout;
    this.headers = options.headers;
    this.signal = options.signal;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The JSON of a section, from `GET {baseUrl}/{sectionId}`. */
  getLogSection(sectionId: string, options: GetLogSectionOptions = {}): Promise<string> {
    const segment = encodeURIComponent(sectionId).replace(/%2C/gi, ',');
    return this.get(`${this.baseUrl}/${segment}`, options.signal).then((r) => r.body);
  }

  /**
   * The server's maximum page (its `X-Max-Limit`), once an answer has said it; null before, or
   * when the server does not say.
   */
  get maxLimit(): number | null {
    return this.serverMaxLimit;
  }

  /** The JSON array of notifications, from `GET {baseUrl}?start=&limit=&…`. */
  async getNotifications(
    start: number | null | undefined,
    limit: number,
    options: GetNotificationsOptions = {},
  ): Promise<string> {
    if (this.serverMaxLimit !== null && limit > this.serverMaxLimit) limit = this.serverMaxLimit;
    try {
      return await this.selection(start, limit, options);
    } catch (error) {
      // A limit over the server's maximum: ask again for the maximum it said.
      if (
        error instanceof NotificationLogHttpError &&
        error.status === 400 &&
        this.serverMaxLimit !== null &&
        limit > this.serverMaxLimit
      ) {
        return this.selection(start, this.serverMaxLimit, options);
      }
      throw error;
    }
  }

  /**
   * New notifications, read from the handler's stream (`GET {baseUrl}/stream?gt=&topics=`): an
   * async iterable of the notifications with ids greater than `gt` (all when null), in order,
   * each once, until `stop()`, the `signal`, or breaking out of `for await` ends it, leaving no
   * request open. When the stream drops (a restart, a network failure, no line within
   * `idleTimeout`) it reconnects with backoff from the last id seen; when the server has no
   * stream (404) it polls `getNotifications` instead. An error that retrying cannot mend (a
   * 4xx such as 401 or 403) ends the iteration by rejecting.
   */
  subscribe(gt: number | null, options: HttpSubscribeOptions = {}): NotificationSubscription {
    return new HttpNotificationSubscription(this, gt, options);
  }

  /**
   * One request of a stream: the response once its headers arrived (within `timeout`).
   *
   * @internal
   */
  async openStream(
    gt: number | null,
    topics: readonly string[],
    signal: AbortSignal,
  ): Promise<Response> {
    const params = new URLSearchParams();
    if (gt !== null) params.set('gt', String(gt));
    for (const topic of topics) params.append('topics', topic);
    const query = params.size > 0 ? `?${params}` : '';
    const url = `${this.baseUrl}/stream${query}`;
    const connecting = new AbortController();
    const timer = setTimeout(
      () => connecting.abort(new DOMException('Timed out', 'TimeoutError')),
      this.timeout,
    );
    const signals = [signal, connecting.signal];
    if (this.signal !== undefined) signals.push(this.signal);
    const combined = AbortSignal.any(signals);
    try {
      return await this.fetch(url, {
        headers: { Accept: 'application/x-ndjson', ...this.headerValues() },
        signal: combined,
      });
    } catch (error) {
      throw this.failure(url, null, combined, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private headerValues(): Record<string, string> {
    return typeof this.headers === 'function' ? this.headers() : (this.headers ?? {});
  }

  private async selection(
    start: number | null | undefined,
    limit: number,
    options: GetNotificationsOptions,
  ): Promise<string> {
    const params = new URLSearchParams();
    if (start !== null && start !== undefined) params.set('start', String(start));
    params.set('limit', String(limit));
    for (const topic of options.topics ?? []) params.append('topics', topic);
    if (options.inclusiveOfStart === false) params.set('inclusive_of_start', '0');
    if (options.stop !== null && options.stop !== undefined) {
      params.set('stop', String(options.stop));
    }
    return (await this.get(`${this.baseUrl}?${params}`, options.signal)).body;
  }

  private async get(url: string, signal: AbortSignal | undefined): Promise<{ body: string }> {
    const signals = [AbortSignal.timeout(this.timeout)];
    if (this.signal !== undefined) signals.push(this.signal);
    if (signal !== undefined) signals.push(signal);
    const combined = AbortSignal.any(signals);
    let status: number | null = null;
    try {
      const response = await this.fetch(url, {
        headers: { Accept: 'application/json', ...this.headerValues() },
        signal: combined,
      });
      status = response.status;
      const max = response.headers.get('x-max-limit');
      if (max !== null && /^\d{1,15}$/.test(max) && Number(max) > 0) {
        this.serverMaxLimit = Number(max);
      }
      const body = await response.text();
      if (response.ok) return { body };
      throw httpError(url, response, body);
    } catch (error) {
      throw this.failure(url, status, combined, error);
    }
  }

  /**
   * A `NotificationLogHttpError` for a request that failed (or the error itself).
   *
   * @internal
   */
  failure(
    url: string,
    status: number | null,
    signal: AbortSignal,
    error: unknown,
  ): NotificationLogHttpError {
    if (error instanceof NotificationLogHttpError) return error;
    const reason = signal.aborted ? signal.reason : error;
    const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
    const why = timedOut
      ? `no answer within ${this.timeout} ms`
      : reason instanceof Error
        ? describeCause(reason)
        : String(reason);
    return new NotificationLogHttpError(`GET ${url} failed: ${why}.`, url, status, {
      cause: reason,
    });
  }
}

function httpError(url: string, response: Response, body: string): NotificationLogHttpError {
  return new NotificationLogHttpError(
    `GET ${url} failed with ${response.status}${response.statusText ? ` ${response.statusText}` : ''}: ${serverMessage(body)}`,
    url,
    response.status,
  );
}

const FIRST_RETRY_DELAY = 100;

/** Whether retrying may mend a failed request (any error but a `retryable: false` one). */
function isRetryable(error: unknown): boolean {
  return !(error instanceof NotificationLogHttpError) || error.retryable;
}

/** `HttpNotificationLogInterface.subscribe`'s iterable. */
class HttpNotificationSubscription implements NotificationSubscription {
  private readonly stopping = new AbortController();
  private readonly signal: AbortSignal;
  private readonly generator: AsyncGenerator<Notification, void, undefined>;

  constructor(
    private readonly log: HttpNotificationLogInterface,
    gt: number | null,
    private readonly options: HttpSubscribeOptions,
  ) {
    if (gt !== null && (!Number.isSafeInteger(gt) || gt < 0)) {
      throw new RangeError(`gt must be a non-negative integer or null, got ${gt}.`);
    }
    const signals = [this.stopping.signal];
    if (options.signal !== undefined) signals.push(options.signal);
    this.signal = AbortSignal.any(signals);
    this.generator = this.run(gt);
  }

  stop(): void {
    this.stopping.abort();
  }

  [Symbol.asyncIterator](): AsyncGenerator<Notification, void, undefined> {
    return this.generator;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.generator.return(undefined);
  }

  private async *run(gt: number | null): AsyncGenerator<Notification, void, undefined> {
    const { signal, options } = this;
    const maxRetryDelay = options.maxRetryDelay ?? 5000;
    let last = gt;
    let delay = FIRST_RETRY_DELAY;
    let polling = false;
    while (!signal.aborted) {
      try {
        if (polling) {
          const found = yield* this.poll(last, (id) => {
            last = id;
          });
          delay = FIRST_RETRY_DELAY;
          if (!found) await sleep(options.pollInterval ?? 1000, undefined, { signal });
          continue;
        }
        const outcome = yield* this.stream(
          last,
          (id) => {
            last = id;
          },
          () => {
            delay = FIRST_RETRY_DELAY;
          },
        );
        if (outcome === 'no-stream') {
          polling = true;
          continue;
        }
        // The server ended the stream (it is closing): reconnect after a pause.
      } catch (error) {
        if (signal.aborted) return;
        if (!isRetryable(error)) throw error;
        try {
          options.onRetry?.(error);
        } catch {
          // An observer's error must not end the subscription.
        }
      }
      await sleep(delay, undefined, { signal }).catch(() => {});
      delay = Math.min(delay * 2, maxRetryDelay);
    }
  }

  /** Reads one stream until it ends: `'no-stream'` when the server has none (404). */
  private async *stream(
    last: number | null,
    seen: (id: number) => void,
    alive: () => void,
  ): AsyncGenerator<Notification, 'ended' | 'no-stream', undefined> {
    const { signal, options } = this;
    const connection = new AbortController();
    const combined = AbortSignal.any([signal, connection.signal]);
    const response = await this.log.openStream(last, options.topics ?? [], combined);
    const url = response.url;
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {});
      return 'no-stream';
    }
    if (!response.ok || response.body === null) {
      throw httpError(url, response, await response.text().catch(() => ''));
    }
    const idleTimeout = options.idleTimeout ?? 45_000;
    const idle = setTimeout(
      () => connection.abort(new Error(`no line within ${idleTimeout} ms`)),
      idleTimeout,
    );
    // Stopped while suspended at a yield (the finally below waits for a next() that may never
    // come): the request is aborted by the signal; the timer must go too.
    const clearIdle = (): void => clearTimeout(idle);
    combined.addEventListener('abort', clearIdle, { once: true });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const wire = { textIds: options.textIds ?? false };
    let buffer = '';
    try {
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw this.log.failure(url, response.status, combined, error);
        }
        if (chunk.done) return 'ended';
        idle.refresh();
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line === '') continue;
          const value = JSON.parse(line) as unknown;
          alive();
          if (value !== null && typeof value === 'object' && 'heartbeat' in value) continue;
          const notification = decodeNotificationItem(value, wire);
          if (last !== null && notification.id <= last) continue;
          last = notification.id;
          seen(last);
          yield notification;
        }
      }
    } finally {
      clearTimeout(idle);
      combined.removeEventListener('abort', clearIdle);
      connection.abort();
      await reader.cancel().catch(() => {});
    }
  }

  /** One poll of `getNotifications` after `last`: whether it found any. */
  private async *poll(
    last: number | null,
    seen: (id: number) => void,
  ): AsyncGenerator<Notification, boolean, undefined> {
    const { signal, options } = this;
    const json = await this.log.getNotifications(last ?? 0, 1000, {
      topics: options.topics ?? [],
      inclusiveOfStart: false,
      signal,
    });
    let found = false;
    for (const notification of decodeNotifications(json, { textIds: options.textIds ?? false })) {
      if (last !== null && notification.id <= last) continue;
      found = true;
      last = notification.id;
      seen(last);
      yield notification;
    }
    return found;
  }
}

function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed !== null && typeof parsed === 'object' && 'error' in parsed) {
      return String((parsed as { error: unknown }).error);
    }
  } catch {
    // Not the handler's JSON error: show the start of the body.
  }
  const text = body.trim();
  return text === '' ? '(no message)' : text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function describeCause(error: Error): string {
  // fetch says "fetch failed" and keeps the reason (ECONNREFUSED, …) in its cause.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
