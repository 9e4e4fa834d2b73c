/**
 * The instrumentation over `@opentelemetry/api`: spans, span links and metrics (see
 * docs/telemetry.md for the names and attributes, and the conventions they follow). It is
 * given the API module by `./instrumentation.ts`, and imports only its types, so that nothing
 * here needs the API installed.
 */
import type * as OtelApi from '@opentelemetry/api';
import type { Application } from '../application/application.js';
import type { DomainEventLike } from '../domain/protocols.js';
import { getTopic } from '../domain/topics.js';
import type { Recording } from '../persistence/recording.js';
import type { Tracking } from '../persistence/stored-event.js';
import type { GetNote, Instrumentation } from './instrumentation.js';
import { repositoryOwner } from './instrumentation.js';
import {
  formatTraceparent,
  parseTraceparent,
  traceparentOf,
  traceparentsStored,
} from './trace-context.js';

type Api = typeof OtelApi;
type Attributes = OtelApi.Attributes;
type Span = OtelApi.Span;

/** The instrumentation scope (the tracer's and the meter's name). */
const SCOPE = 'eventsourcing';
/** `messaging.system`: the library is the messaging system its processing reads from. */
const SYSTEM = 'eventsourcing';
/** At most this many originators and topics are listed on a save span. */
const MAX_LISTED = 10;
/** At most this many links on a processing span (the SDK's default limit). */
const MAX_LINKS = 128;
/** The semantic conventions' bucket advice for `messaging.process.duration` (seconds). */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** The metric instruments, made on the global meter provider of the moment. */
interface Instruments {
  readonly provider: OtelApi.MeterProvider;
  /** Whether the provider is the API's no-op one (no SDK registered). */
  readonly noop: boolean;
  readonly sent: OtelApi.Counter;
  readonly consumed: OtelApi.Counter;
  readonly duration: OtelApi.Histogram;
  readonly lag: OtelApi.ObservableGauge;
}

/** A consumer whose lag is reported. */
interface LagSource {
  readonly attributes: Attributes;
  readonly read: () => Promise<number | null>;
}

/**
 * The real instrumentation over the given API module.
 *
 * @internal
 */
export function createOtelInstrumentation(api: Api): Instrumentation {
  const { context, trace, metrics, SpanKind, SpanStatusCode, isSpanContextValid } = api;
  // A proxy tracer: it delegates to the SDK registered later (or to a no-op one).
  const tracer = trace.getTracer(SCOPE);
  // What the API's proxy provider delegates to while no SDK is registered.
  const noTracerProvider = new api.ProxyTracerProvider().getDelegate();
  const noopMeter = api.createNoopMeter();
  /** Whether an SDK's tracer provider is registered (else no span is worth starting). */
  const tracing = (): boolean => {
    const provider = trace.getTracerProvider() as Partial<OtelApi.ProxyTracerProvider>;
    return (
      typeof provider.getDelegate !== 'function' || provider.getDelegate() !== noTracerProvider
    );
  };
  const lagSources = new Set<LagSource>();
  let instruments: Instruments | null = null;

  const observeLags = async (result: OtelApi.ObservableResult): Promise<void> => {
    await Promise.all(
      [...lagSources].map(async (source) => {
        try {
          const events = await source.read();
          if (events !== null) result.observe(events, source.attributes);
        } catch {
          // A closed or unreachable store: nothing to report this time.
        }
      }),
    );
  };

  /** The instruments of the global meter provider (made again when another is registered). */
  function meters(): Instruments {
    const provider = metrics.getMeterProvider();
    if (instruments !== null && instruments.provider === provider) return instruments;
    instruments?.lag.removeCallback(observeLags);
    const meter = provider.getMeter(SCOPE);
    const lag = meter.createObservableGauge('eventsourcing.consumer.lag', {
      unit: '{event}',
      description:
        'Events recorded upstream that a projection or follower has not processed yet ' +
        '(notification ids after its position up to the head: an upper bound).',
    });
    lag.addCallback(observeLags);
    instruments = {
      provider,
      noop: meter === noopMeter,
      sent: meter.createCounter('messaging.client.sent.messages', {
        unit: '{message}',
        description: 'Domain events stored by save and record.',
      }),
      consumed: meter.createCounter('messaging.client.consumed.messages', {
        unit: '{message}',
        description: 'Upstream events processed by projections and followers.',
      }),
      duration: meter.createHistogram('messaging.process.duration', {
        unit: 's',
        description: 'Duration of the processing of a batch of upstream events.',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
      lag,
    };
    return instruments;
  }

  const appAttributes = new WeakMap<Application, Attributes>();
  function attributesOf(app: Application): Attributes {
    let attributes = appAttributes.get(app);
    if (attributes === undefined) {
      attributes = {
        'messaging.system': SYSTEM,
        'messaging.destination.name': app.name,
        'eventsourcing.application.name': app.name,
      };
      const db = dbSystem(app);
      if (db !== null) attributes['db.system.name'] = db;
      appAttributes.set(app, attributes);
    }
    return attributes;
  }

  const sentAttributes = new WeakMap<Application, Record<'save' | 'record', Attributes>>();
  function sentAttributesOf(app: Application, operation: 'save' | 'record'): Attributes {
    let both = sentAttributes.get(app);
    if (both === undefined) {
      const of = (name: string): Attributes => ({
        'messaging.system': SYSTEM,
        'messaging.operation.name': name,
        'messaging.destination.name': app.name,
      });
      both = { save: of('save'), record: of('record') };
      sentAttributes.set(app, both);
    }
    return both[operation];
  }

  const consumerAttributes = new Map<string, Attributes>();
  function metricAttributesOf(consumer: string, upstream: string): Attributes {
    const key = `${consumer}\u0000${upstream}`;
    let attributes = consumerAttributes.get(key);
    if (attributes === undefined) {
      attributes = {
        'messaging.system': SYSTEM,
        'messaging.operation.name': 'process',
        'messaging.destination.name': upstream,
        'messaging.consumer.group.name': consumer,
      };
      consumerAttributes.set(key, attributes);
    }
    return attributes;
  }

  /** Runs `run` with the span active (when it has a valid context), then ends the span. */
  function within<T>(
    span: Span,
    run: () => T | Promise<T>,
    after: ((result: T) => void) | null,
    failed: ((error: unknown) => void) | null,
  ): Promise<T> {
    let promise: T | Promise<T>;
    try {
      promise = isSpanContextValid(span.spanContext())
        ? context.with(trace.setSpan(context.active(), span), run)
        : run();
    } catch (error) {
      fail(span, error);
      failed?.(error);
      span.end();
      return Promise.reject(error);
    }
    return Promise.resolve(promise).then(
      (result) => {
        after?.(result);
        span.end();
        return result;
      },
      (error: unknown) => {
        fail(span, error);
        failed?.(error);
        span.end();
        throw error;
      },
    );
  }

  function fail(span: Span, error: unknown): void {
    if (!span.isRecording()) return;
    span.setAttribute('error.type', errorType(error));
    if (error instanceof Error) span.recordException(error);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }

  function linksOf(
    items: ReadonlyArray<readonly [DomainEventLike, Tracking]> | null,
  ): OtelApi.Link[] | undefined {
    if (items === null || !traceparentsStored()) return undefined;
    let links: OtelApi.Link[] | undefined;
    let seen: Set<string> | undefined;
    for (const [event] of items) {
      const link = linkOf(event);
      if (link === undefined) continue;
      links ??= [];
      seen ??= new Set();
      const key = link.context.spanId;
      if (seen.has(key)) continue;
      seen.add(key);
      links.push(link);
      if (links.length >= MAX_LINKS) break;
    }
    return links;
  }

  let lastSpan: Span | undefined;
  let lastTraceparent: string | null = null;
  return {
    // Looked up on each call (two global lookups, about 20 ns), so an SDK registered at any
    // time is seen at once.
    get enabled(): boolean {
      return tracing() || !meters().noop;
    },

    traceSave(app, operation, events, run) {
      if (!tracing() && meters().noop) return run();
      const span = tracer.startSpan(`${operation} ${app.name}`, { kind: SpanKind.PRODUCER });
      const recording = span.isRecording();
      if (recording) span.setAttributes(saveAttributes(attributesOf(app), operation, events));
      const n = events.length;
      return within(
        span,
        run,
        (recordings: Recording[]) => {
          if (recording && recordings.length > 0) {
            const first = recordings[0]!.notification.id;
            const last = recordings[recordings.length - 1]!.notification.id;
            span.setAttribute('eventsourcing.notification.first_id', first);
            span.setAttribute('eventsourcing.notification.last_id', last);
            if (n === 1) span.setAttribute('messaging.message.id', String(first));
          }
          if (n > 0) meters().sent.add(n, sentAttributesOf(app, operation));
        },
        null,
      );
    },

    traceGet(repository, aggregateId, version, run) {
      if (!tracing()) return run(unusedNote);
      const app = repositoryOwner(repository);
      const span = tracer.startSpan(app === undefined ? 'get' : `get ${app.name}`, {
        kind: SpanKind.INTERNAL,
      });
      const recording = span.isRecording();
      if (recording) {
        if (app !== undefined) span.setAttributes(attributesOf(app));
        span.setAttribute('eventsourcing.originator.id', aggregateId);
        if (version !== null) span.setAttribute('eventsourcing.repository.version', version);
      }
      const note: GetNote = { fromCache: false, snapshotVersion: null, events: 0 };
      return within(
        span,
        () => run(note),
        recording ? (aggregate) => noteGet(span, note, aggregate) : null,
        recording ? () => noteGet(span, note, null) : null,
      );
    },

    traceBatch(batch, run) {
      if (!tracing() && meters().noop) return run();
      const links = linksOf(batch.items);
      const span = tracer.startSpan(
        `process ${batch.upstream}`,
        { kind: SpanKind.CONSUMER, root: batch.root, ...(links ? { links } : {}) },
        batch.root ? api.ROOT_CONTEXT : undefined,
      );
      if (span.isRecording()) {
        span.setAttributes(metricAttributesOf(batch.consumer, batch.upstream));
        span.setAttributes({
          'messaging.operation.type': 'process',
          'eventsourcing.event.count': batch.count,
          'eventsourcing.notification.first_id': batch.firstId,
          'eventsourcing.notification.last_id': batch.lastId,
          'eventsourcing.tracking.notification_id': batch.trackingId,
        });
        if (batch.count !== 1) span.setAttribute('messaging.batch.message_count', batch.count);
        else span.setAttribute('messaging.message.id', String(batch.firstId));
      }
      const start = performance.now();
      const record = (error: unknown): void => {
        const { consumed, duration } = meters();
        let attributes = metricAttributesOf(batch.consumer, batch.upstream);
        if (error !== undefined) attributes = { ...attributes, 'error.type': errorType(error) };
        duration.record((performance.now() - start) / 1000, attributes);
        consumed.add(batch.count, attributes);
      };
      return within(span, run, () => record(undefined), record);
    },

    tracePolicy(follower, event, tracking, run) {
      if (!tracing()) {
        try {
          return Promise.resolve(run());
        } catch (error) {
          return Promise.reject(error);
        }
      }
      const link = traceparentsStored() ? linkOf(event) : undefined;
      const span = tracer.startSpan(`policy ${follower.name}`, {
        kind: SpanKind.INTERNAL,
        ...(link ? { links: [link] } : {}),
      });
      if (span.isRecording()) {
        span.setAttributes({
          'messaging.system': SYSTEM,
          'messaging.operation.type': 'process',
          'messaging.destination.name': tracking.applicationName,
          'messaging.consumer.group.name': follower.name,
          'messaging.message.id': String(tracking.notificationId),
          'eventsourcing.follower.name': follower.name,
          'eventsourcing.leader.name': tracking.applicationName,
          'eventsourcing.notification.id': tracking.notificationId,
          'eventsourcing.originator.id': event.originatorId,
          'eventsourcing.originator.version': event.originatorVersion,
        });
        const topic = topicOf(event);
        if (topic !== null) span.setAttribute('eventsourcing.event.topic', topic);
      }
      return within<void>(span, run, null, null);
    },

    observeLag(consumer, upstream, read) {
      const source: LagSource = {
        attributes: {
          'messaging.system': SYSTEM,
          'messaging.destination.name': upstream,
          'messaging.consumer.group.name': consumer,
        },
        read,
      };
      lagSources.add(source);
      meters();
      return () => {
        lagSources.delete(source);
      };
    },

    activeTraceparent() {
      const span = trace.getActiveSpan();
      if (span === undefined) return null;
      if (span === lastSpan) return lastTraceparent;
      const spanContext = span.spanContext();
      lastSpan = span;
      lastTraceparent = isSpanContextValid(spanContext)
        ? formatTraceparent(spanContext.traceId, spanContext.spanId, spanContext.traceFlags)
        : null;
      return lastTraceparent;
    },
  };
}

/** The note given to `Repository.get` when no span reads it (what it writes is dropped). */
const unusedNote: GetNote = { fromCache: false, snapshotVersion: null, events: 0 };

/** The attributes of a save span that describe what it stores. */
function saveAttributes(
  base: Attributes,
  operation: 'save' | 'record',
  events: readonly DomainEventLike[],
): Attributes {
  const n = events.length;
  const attributes: Attributes = {
    ...base,
    'messaging.operation.type': 'send',
    'messaging.operation.name': operation,
    'eventsourcing.event.count': n,
  };
  if (n !== 1) attributes['messaging.batch.message_count'] = n;
  // The version each originator reaches, in the order the originators first appear.
  const versions = new Map<string, number>();
  const topics = new Set<string>();
  for (const event of events) {
    const id = event.originatorId;
    if (versions.has(id) || versions.size < MAX_LISTED) versions.set(id, event.originatorVersion);
    if (topics.size < MAX_LISTED) {
      const topic = topicOf(event);
      if (topic !== null) topics.add(topic);
    }
  }
  if (versions.size > 0) {
    attributes['eventsourcing.originator.ids'] = [...versions.keys()];
    attributes['eventsourcing.originator.versions'] = [...versions.values()];
  }
  if (topics.size > 0) attributes['eventsourcing.event.topics'] = [...topics];
  return attributes;
}

function noteGet(span: Span, note: GetNote, aggregate: unknown): void {
  span.setAttribute('eventsourcing.repository.from_cache', note.fromCache);
  span.setAttribute('eventsourcing.event.count', note.events);
  if (note.snapshotVersion !== null) {
    span.setAttribute('eventsourcing.repository.snapshot_version', note.snapshotVersion);
  }
  const version = (aggregate as { version?: unknown } | null)?.version;
  if (typeof version === 'number') span.setAttribute('eventsourcing.originator.version', version);
}

/** A link to the span that saved the event, when its traceparent is known. */
function linkOf(event: object): OtelApi.Link | undefined {
  const parsed = parseTraceparent(traceparentOf(event));
  if (parsed === null) return undefined;
  return {
    context: {
      traceId: parsed.traceId,
      spanId: parsed.spanId,
      traceFlags: parsed.traceFlags,
      isRemote: true,
    },
  };
}

function topicOf(event: DomainEventLike): string | null {
  try {
    return getTopic((event as object).constructor);
  } catch {
    return null;
  }
}

/** `error.type`: the error's class name. */
function errorType(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? error.constructor.name : error.name;
  return '_OTHER';
}

/** `db.system.name` of the application's persistence module, or null (memory, third party). */
function dbSystem(app: Application): string | null {
  for (
    let proto: object | null = Object.getPrototypeOf(app.factory) as object | null;
    proto !== null;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (name === 'SQLiteFactory') return 'sqlite';
    if (name === 'PostgresFactory') return 'postgresql';
  }
  return null;
}
