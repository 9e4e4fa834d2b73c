import type {
  GetLogSectionOptions,
  GetNotificationsOptions,
  NotificationLogInterface,
} from './notification-log-interface.js';

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
 * answer in time (`status` null; `cause` says why).
 */
export class NotificationLogHttpError extends Error {
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
}

/**
 * The client side of `createNotificationLogHandler`: a `NotificationLogInterface` over HTTP
 * with `fetch`. Give it to a `NotificationLogJSONClient` to follow a leader in another process:
 * `follower.follow('Leader', new NotificationLogJSONClient(new HttpNotificationLogInterface(url)))`.
 * `baseUrl` is the URL the handler serves under (its `basePath`). Each request has a timeout
 * and honours the `signal`s given; an error status becomes a `NotificationLogHttpError` with
 * the status and the server's error message. Nothing stays open between calls but the
 * `fetch`'s idle keep-alive connections, which never keep a process alive.
 */
export class HttpNotificationLogInterface implements NotificationLogInterface {
  /** The URL the log is served under, without a trailing slash. */
  readonly baseUrl: string;
  /** Milliseconds each request may take. */
  readonly timeout: number;
  private readonly headers: HttpNotificationLogInterfaceOptions['headers'];
  private readonly signal: AbortSignal | undefined;
  private readonly fetch: typeof fetch;

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
    return this.get(`${this.baseUrl}/${segment}`, options.signal);
  }

  /** The JSON array of notifications, from `GET {baseUrl}?start=&limit=&…`. */
  getNotifications(
    start: number | null | undefined,
    limit: number,
    options: GetNotificationsOptions = {},
  ): Promise<string> {
    const params = new URLSearchParams();
    if (start !== null && start !== undefined) params.set('start', String(start));
    params.set('limit', String(limit));
    for (const topic of options.topics ?? []) params.append('topics', topic);
    if (options.inclusiveOfStart === false) params.set('inclusive_of_start', '0');
    if (options.stop !== null && options.stop !== undefined) {
      params.set('stop', String(options.stop));
    }
    return this.get(`${this.baseUrl}?${params}`, options.signal);
  }

  private async get(url: string, signal: AbortSignal | undefined): Promise<string> {
    const signals = [AbortSignal.timeout(this.timeout)];
    if (this.signal !== undefined) signals.push(this.signal);
    if (signal !== undefined) signals.push(signal);
    const combined = AbortSignal.any(signals);
    const headers = typeof this.headers === 'function' ? this.headers() : (this.headers ?? {});
    let status: number | null = null;
    try {
      const response = await this.fetch(url, {
        headers: { Accept: 'application/json', ...headers },
        signal: combined,
      });
      status = response.status;
      const body = await response.text();
      if (response.ok) return body;
      throw new NotificationLogHttpError(
        `GET ${url} failed with ${response.status}${response.statusText ? ` ${response.statusText}` : ''}: ${serverMessage(body)}`,
        url,
        response.status,
      );
    } catch (error) {
      if (error instanceof NotificationLogHttpError) throw error;
      const reason = combined.aborted ? combined.reason : error;
      const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
      const why = timedOut
        ? `no answer within ${this.timeout} ms`
        : reason instanceof Error
          ? describeCause(reason)
          : String(reason);
      throw new NotificationLogHttpError(`GET ${url} failed: ${why}.`, url, status, {
        cause: reason,
      });
    }
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
