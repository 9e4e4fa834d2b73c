/**
 * The one seam between the library's hot paths and OpenTelemetry. Each hook point reads
 * `instrumentation.current` once: `null` means off, and the hook calls the plain path with no
 * other cost (no span, no closure, no attribute). Otherwise it hands its work to the
 * instrumentation, which wraps it in a span and records metrics.
 *
 * `@opentelemetry/api` is an optional peer dependency. It is imported once, by the first hook
 * called, with a non-literal specifier so that bundlers leave it alone; when it is missing, or
 * `EVENTSOURCING_TELEMETRY` is false, the instrumentation is off for good. Until the import
 * has settled, `current` is a pending instrumentation whose hooks wait for it, so that no span
 * of the first operations is lost. With the API but no SDK registered, the real
 * instrumentation is not `enabled` (it sees the API's no-op providers), and the hooks call
 * the plain path; with an SDK that does not record a span, no
 * attribute is computed for it.
 *
 * The real instrumentation is in `./otel-instrumentation.ts`; this module has no import of the
 * API's values, so that nothing here needs it installed.
 */
import type { Application } from '../application/application.js';
import type { Repository } from '../application/repository.js';
import type { DomainEventLike } from '../domain/protocols.js';
import type { Recording } from '../persistence/recording.js';
import type { Tracking } from '../persistence/stored-event.js';
import { strtobool } from '../utils/strtobool.js';

/** What `Repository.get` tells its span about how it reconstructed the aggregate. */
export interface GetNote {
  /** Whether the aggregate came from the cache (then `events` were fast-forwarded). */
  fromCache: boolean;
  /** The version of the snapshot the aggregate was reconstructed from, or null. */
  snapshotVersion: number | null;
  /** How many events were applied. */
  events: number;
}

/** A batch of upstream events processed in one transaction (or one `pullAndProcess` section). */
export interface BatchInfo {
  /** The projection's or the follower's name (`messaging.consumer.group.name`). */
  readonly consumer: string;
  /** The upstream application's name (`messaging.destination.name`). */
  readonly upstream: string;
  /** The events, each with its tracking, when they are in hand (links come from them). */
  readonly items: ReadonlyArray<readonly [DomainEventLike, Tracking]> | null;
  /** How many events (notifications) the batch holds. */
  readonly count: number;
  /** The first notification id of the batch. */
  readonly firstId: number;
  /** The last notification id of the batch. */
  readonly lastId: number;
  /** The position recorded with the batch (it counts events filtered out). */
  readonly trackingId: number;
  /**
   * Whether the span is a new trace root (a runner's loop, whose context is whatever was
   * active when the runner was made) rather than a child of the active span.
   */
  readonly root: boolean;
}

/** The hooks the library calls when instrumentation is on (see the module's comment). */
export interface Instrumentation {
  /**
   * Whether anything is recorded: an SDK's tracer or meter provider is registered. When false,
   * the hooks take the plain path (no span, no closure).
   */
  readonly enabled: boolean;
  /** Runs `run` (which stores `events`) inside a `save` or `record` span of the application. */
  traceSave(
    app: Application,
    operation: 'save' | 'record',
    events: readonly DomainEventLike[],
    run: () => Promise<Recording[]>,
  ): Promise<Recording[]>;
  /** Runs `run` (a `Repository.get`) inside a `get` span; `run` fills in the note. */
  traceGet<A>(
    repository: Repository,
    aggregateId: string,
    version: number | null,
    run: (note: GetNote) => Promise<A>,
  ): Promise<A>;
  /** Runs `run` (the processing of a batch) inside a `process` span, and records its metrics. */
  traceBatch(batch: BatchInfo, run: () => Promise<void>): Promise<void>;
  /** Runs `run` (a policy given one upstream event) inside a `policy` span. */
  tracePolicy(
    follower: Application,
    event: DomainEventLike,
    tracking: Tracking,
    run: () => void | Promise<void>,
  ): Promise<void>;
  /**
   * Reports the lag of a consumer (`read` resolves to the events it is behind, or null when it
   * cannot tell) each time metrics are collected, until the returned function is called.
   */
  observeLag(consumer: string, upstream: string, read: () => Promise<number | null>): () => void;
  /** The W3C `traceparent` of the active span, or null when there is no valid one. */
  activeTraceparent(): string | null;
}

const repositoryOwners = new WeakMap<Repository, Application>();

/**
 * Notes the application a repository belongs to (its spans are named after it).
 *
 * @internal
 */
export function noteRepositoryOwner(repository: Repository, app: Application): void {
  repositoryOwners.set(repository, app);
}

/**
 * The application a repository belongs to, when it was noted.
 *
 * @internal
 */
export function repositoryOwner(repository: Repository): Application | undefined {
  return repositoryOwners.get(repository);
}

/**
 * Whether `EVENTSOURCING_TELEMETRY` allows instrumentation: unset or true, yes (then it is on
 * when `@opentelemetry/api` can be imported); false, no.
 */
function telemetryAllowed(): boolean {
  const value = process.env.EVENTSOURCING_TELEMETRY;
  if (value === undefined || value.trim() === '') return true;
  try {
    return strtobool(value);
  } catch (error) {
    throw new RangeError(
      `EVENTSOURCING_TELEMETRY: ${(error as Error).message} (no turns the OpenTelemetry ` +
        'instrumentation off; leave it unset to use it when @opentelemetry/api is installed).',
    );
  }
}

/** The OpenTelemetry API package, imported by name so that bundlers do not resolve it. */
const API_PACKAGE = '@opentelemetry/api';

let real: Promise<Instrumentation | null> | null = null;

/**
 * The real instrumentation (over `@opentelemetry/api`), or null when the API cannot be
 * imported. Imported once; `EVENTSOURCING_TELEMETRY` is not consulted (the bench uses it to
 * compare). Does not change `instrumentation.current`.
 *
 * @internal
 */
export function loadOtelInstrumentation(): Promise<Instrumentation | null> {
  real ??= (async () => {
    let api: unknown;
    try {
      const module = (await import(API_PACKAGE)) as { trace?: unknown; default?: unknown };
      api = module.trace === undefined ? module.default : module;
    } catch {
      return null;
    }
    if (api === null || typeof api !== 'object' || !('trace' in api)) return null;
    const { createOtelInstrumentation } = await import('./otel-instrumentation.js');
    return createOtelInstrumentation(api as Parameters<typeof createOtelInstrumentation>[0]);
  })();
  return real;
}

/**
 * Replaces the instrumentation the hooks use (null: off). For the bench and tests, which
 * compare the three states in one process.
 *
 * @internal
 */
export function useInstrumentation(next: Instrumentation | null): void {
  instrumentation.current = next;
}

/** Waits for the import, then does with the instrumentation it gave (or without). */
function afterLoad<T>(
  traced: (t: Instrumentation) => Promise<T>,
  plain: () => Promise<T>,
): Promise<T> {
  return whenLoaded().then(() => {
    const t = instrumentation.current;
    return t === null || t === pending ? plain() : traced(t);
  });
}

let loading: Promise<void> | null = null;

/** Imports the API (once, on the first hook called), then replaces the pending instrumentation. */
function whenLoaded(): Promise<void> {
  loading ??= loadOtelInstrumentation().then((t) => {
    // Unless the bench or a test chose one meanwhile.
    if (instrumentation.current === pending) instrumentation.current = t;
  });
  return loading;
}

/** The instrumentation while the API is being imported: each hook waits for the import. */
const pending: Instrumentation = {
  enabled: true,
  traceSave: (app, operation, events, run) =>
    afterLoad((t) => t.traceSave(app, operation, events, run), run),
  traceGet: (repository, aggregateId, version, run) =>
    afterLoad(
      (t) => t.traceGet(repository, aggregateId, version, run),
      () => run({ fromCache: false, snapshotVersion: null, events: 0 }),
    ),
  traceBatch: (batch, run) => afterLoad((t) => t.traceBatch(batch, run), run),
  tracePolicy: (follower, event, tracking, run) =>
    afterLoad(
      (t) => t.tracePolicy(follower, event, tracking, run),
      async () => {
        await run();
      },
    ),
  observeLag(consumer, upstream, read) {
    let stop: (() => void) | null = null;
    let stopped = false;
    void whenLoaded().then(() => {
      const t = instrumentation.current;
      if (!stopped && t !== null && t !== pending) stop = t.observeLag(consumer, upstream, read);
    });
    return () => {
      stopped = true;
      stop?.();
    };
  },
  activeTraceparent: () => null,
};

/**
 * The instrumentation the hooks use: `null` when off; until the API's import has settled
 * (it starts with the first hook called), a pending one whose hooks wait for it.
 *
 * @internal
 */
export const instrumentation: { current: Instrumentation | null } = {
  current: telemetryAllowed() ? pending : null,
};
