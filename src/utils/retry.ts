import { setTimeout as sleep } from 'node:timers/promises';

/** An error class (a constructor whose instances are thrown). */
export type ErrorClass = abstract new (...args: never[]) => unknown;

/** Options of `retry`. */
export interface RetryOptions {
  /** The error classes that cause a retry (default: any `Error`); others are rethrown at once. */
  exceptions?: ErrorClass | readonly ErrorClass[];
  /** Attempts in all, the first included (default 1; `null` for no limit). */
  maxAttempts?: number | null;
  /** Milliseconds to wait before each retry, jittered by ±5% (default 0). */
  wait?: number;
  /** Milliseconds to wait before the first attempt (default 0). */
  stall?: number;
}

interface RetryPolicy {
  readonly exceptions: readonly ErrorClass[];
  readonly maxAttempts: number | null;
  readonly wait: number;
  readonly stall: number;
}

/** Any function: `retry` accepts synchronous and asynchronous ones alike. */
export type RetriableFunction = (...args: never[]) => unknown;

/**
 * What `retry(fn)` returns: the same `this` and parameters as `fn`, and always a Promise of
 * `fn`'s result, because waiting between attempts is asynchronous even when `fn` is not.
 */
export type Retrying<F extends RetriableFunction> = (
  this: ThisParameterType<F>,
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>>>;

/** A method that `@retry` can decorate: one that returns a Promise, as the retrying one does. */
export type AsyncMethod<This, Args extends unknown[], Result> = (
  this: This,
  ...args: Args
) => Promise<Result>;

/** The decorator that `retry(options)` returns. */
export type RetryDecorator = <This, Args extends unknown[], Result>(
  method: AsyncMethod<This, Args, Result>,
  context: ClassMethodDecoratorContext<This, AsyncMethod<This, Args, Result>>,
) => AsyncMethod<This, Args, Result>;

function policyOf(options: RetryOptions | undefined): RetryPolicy {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`retry options must be an object, got ${String(options)}.`);
  }
  const { exceptions = Error, maxAttempts = 1, wait = 0, stall = 0 } = options ?? {};
  const list = Array.isArray(exceptions) ? exceptions : [exceptions];
  for (const cls of list as unknown[]) {
    if (
      typeof cls !== 'function' ||
      typeof (cls as { prototype?: unknown }).prototype !== 'object'
    ) {
      throw new TypeError(
        `retry: ${String(cls)} is not an exception class (give error classes such as OperationalError).`,
      );
    }
  }
  if (maxAttempts !== null && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new TypeError(
      `retry: 'maxAttempts' must be an integer of at least 1, or null, got ${String(maxAttempts)}.`,
    );
  }
  if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0) {
    throw new TypeError(
      `retry: 'wait' must be a number of milliseconds (0 or more), got ${String(wait)}.`,
    );
  }
  if (typeof stall !== 'number' || !Number.isFinite(stall) || stall < 0) {
    throw new TypeError(
      `retry: 'stall' must be a number of milliseconds (0 or more), got ${String(stall)}.`,
    );
  }
  return { exceptions: list as readonly ErrorClass[], maxAttempts, wait, stall };
}

function wrap<F extends RetriableFunction>(fn: F, policy: RetryPolicy): Retrying<F> {
  const { exceptions, maxAttempts, wait, stall } = policy;
  const retrying = async function (
    this: ThisParameterType<F>,
    ...args: Parameters<F>
  ): Promise<Awaited<ReturnType<F>>> {
    if (stall > 0) await sleep(stall);
    for (let attempts = 1; ; attempts++) {
      try {
        return (await fn.apply(this, args)) as Awaited<ReturnType<F>>;
      } catch (error) {
        const retriable = exceptions.some((cls) => error instanceof cls);
        if (!retriable || (maxAttempts !== null && attempts >= maxAttempts)) throw error;
        if (wait > 0) await sleep(wait * (1 + 0.1 * (Math.random() - 0.5)));
      }
    }
  };
  Object.defineProperty(retrying, 'name', { value: fn.name, configurable: true });
  return retrying;
}

function isMethodContext(value: unknown): value is ClassMethodDecoratorContext {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'method'
  );
}

/**
 * Retries a function when it throws (or rejects with) one of the given error classes, as the
 * Python library's `@retry` does: up to `maxAttempts` attempts in all, waiting `wait` ms (±5%
 * jitter) between them, after an initial `stall`. The result is always a Promise, also for a
 * synchronous function (its type says so: {@link Retrying}).
 *
 * Two forms: `retry(fn, options)` returns the retrying function (TC39 decorators cannot decorate
 * plain functions), and `@retry(options)` (or bare `@retry`) decorates a class method, which must
 * be async (a synchronous method would become one that returns a Promise; its type would lie).
 * Bad options are a `TypeError` when `retry` is called, not when the function runs.
 *
 * @example
 * ```ts
 * import { OperationalError, retry } from 'eventsourcing/persistence';
 *
 * const read = retry(async (id: string) => `row ${id}`, {
 *   exceptions: OperationalError,
 *   maxAttempts: 3,
 *   wait: 100,
 * });
 * await read('a'); // 'row a'
 * ```
 */
export function retry<This, Args extends unknown[], Result>(
  method: AsyncMethod<This, Args, Result>,
  context: ClassMethodDecoratorContext<This, AsyncMethod<This, Args, Result>>,
): AsyncMethod<This, Args, Result>;
export function retry<F extends RetriableFunction>(fn: F, options?: RetryOptions): Retrying<F>;
export function retry(options?: RetryOptions): RetryDecorator;
export function retry(
  fnOrOptions?: RetriableFunction | RetryOptions,
  options?: RetryOptions | ClassMethodDecoratorContext,
): unknown {
  if (typeof fnOrOptions === 'function') {
    if (isMethodContext(options)) return wrap(fnOrOptions, policyOf(undefined));
    return wrap(fnOrOptions, policyOf(options as RetryOptions | undefined));
  }
  const policy = policyOf(fnOrOptions);
  return (method: RetriableFunction, context: ClassMethodDecoratorContext): unknown => {
    if (!isMethodContext(context)) {
      throw new TypeError(
        '@retry(...) decorates class methods; call retry(fn, options) for a function.',
      );
    }
    return wrap(method, policy);
  };
}
