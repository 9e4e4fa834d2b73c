/**
 * The opt-in trace context of stored events (`TRACE_CONTEXT`): the W3C `traceparent` of the
 * span that saved an event, written into the event's stored state under a reserved key and
 * taken out again when the event is read, so that processing spans can link to the save.
 */
import type { Mapper } from '../persistence/mapper.js';
import type { StoredEvent } from '../persistence/stored-event.js';
import type { Environment } from '../utils/environment.js';
import { strtobool } from '../utils/strtobool.js';
import { instrumentation } from './instrumentation.js';

/**
 * The environment key that turns the trace context of stored events on for an application
 * (scoped by its name, `DOGSCHOOL_TRACE_CONTEXT`, like every key).
 */
export const TRACE_CONTEXT = 'TRACE_CONTEXT';

/**
 * The state key under which the saving span's `traceparent` is stored when `TRACE_CONTEXT` is
 * on. It never becomes an event field when the reader has `TRACE_CONTEXT` on too.
 */
export const TRACEPARENT_KEY = '__traceparent__';

/** A W3C `traceparent` split into its parts. */
export interface ParsedTraceparent {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** The trace flags (bit 0: sampled). */
  readonly traceFlags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The `traceparent` of a span context (version 00). */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The parts of a `traceparent`, or null when it is not one (or its ids are all zeros). */
export function parseTraceparent(value: unknown): ParsedTraceparent | null {
  if (typeof value !== 'string') return null;
  const match = TRACEPARENT.exec(value);
  if (match === null || match[1] === 'ff') return null;
  const traceId = match[2]!;
  const spanId = match[3]!;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return { traceId, spanId, traceFlags: Number.parseInt(match[4]!, 16) };
}

// The traceparent each domain event was saved with (or read with): what processing links to.
const traceparents = new WeakMap<object, string>();
// Whether any was: until then, processing does not look events up.
let anyTraceparent = false;

function remember(event: object, traceparent: string): void {
  traceparents.set(event, traceparent);
  anyTraceparent = true;
}

/** Whether a traceparent has been stored or read in this process (links are looked up then). */
export function traceparentsStored(): boolean {
  return anyTraceparent;
}

/** The `traceparent` an event was saved under, when `TRACE_CONTEXT` stored or read one. */
export function traceparentOf(event: object): string | undefined {
  return traceparents.get(event);
}

/** Whether `TRACE_CONTEXT` is on in the environment (a clear error for a value that is not a boolean). */
export function traceContextEnabled(env: Environment): boolean {
  const value = env.get(TRACE_CONTEXT);
  if (value === undefined || value.trim() === '') return false;
  try {
    return strtobool(value);
  } catch (error) {
    throw new RangeError(
      `${TRACE_CONTEXT}: ${(error as Error).message} (yes stores the traceparent of the saving ` +
        'span in each stored event; leave it unset to store events as the Python library does).',
    );
  }
}

/**
 * The mapper itself when `TRACE_CONTEXT` is off in `env`; else a mapper that delegates to it,
 * writes the `traceparent` of the active span (when there is a valid one) into each event's
 * stored state under `TRACEPARENT_KEY`, and takes it out of every event it reads (the event
 * has no such field; `traceparentOf(event)` gives it). Without an active span nothing is
 * added, and the stored bytes are the mapper's own.
 */
export function withTraceContext(mapper: Mapper, env: Environment): Mapper {
  if (!traceContextEnabled(env)) return mapper;
  // The original's methods run with the original as `this` (its private fields, its memos);
  // the wrapper inherits everything else from it.
  const wrapper = Object.create(mapper) as Mapper;
  Object.defineProperties(wrapper, {
    toStoredEvent: {
      value: (event: Parameters<Mapper['toStoredEvent']>[0]): StoredEvent => {
        const traceparent = instrumentation.current?.activeTraceparent() ?? null;
        if (traceparent === null) return mapper.toStoredEvent(event);
        remember(event, traceparent);
        return mapper.toStoredEvent(carrierOf(event, traceparent) as typeof event);
      },
    },
    toDomainEvent: {
      value: (stored: StoredEvent) => {
        const event = mapper.toDomainEvent(stored);
        return Object.hasOwn(event, TRACEPARENT_KEY) ? stripped(event) : event;
      },
    },
  });
  return wrapper;
}

/** A copy of the event (same prototype, same fields) with the traceparent as one more field. */
function carrierOf(event: object, traceparent: string): object {
  const carrier = copyFields(event, null);
  carrier[TRACEPARENT_KEY] = traceparent;
  return carrier;
}

// Events read back as the same object each time (the in-memory recorders keep them) are
// stripped once.
const strippedCopies = new WeakMap<object, object>();

/** The event without its `TRACEPARENT_KEY` field, remembering the traceparent for it. */
function stripped<E extends object>(event: E): E {
  const known = strippedCopies.get(event);
  if (known !== undefined) return known as E;
  const copy = copyFields(event, TRACEPARENT_KEY);
  const traceparent = (event as Record<string, unknown>)[TRACEPARENT_KEY];
  if (parseTraceparent(traceparent) !== null) remember(copy, traceparent as string);
  if (Object.isFrozen(event)) Object.freeze(copy);
  strippedCopies.set(event, copy);
  return copy as E;
}

function copyFields(event: object, skip: string | null): Record<string, unknown> {
  const source = event as Record<string, unknown>;
  const copy = Object.create(Object.getPrototypeOf(event) as object) as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (key === skip) continue;
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value: source[key], enumerable: true, writable: true });
    } else copy[key] = source[key];
  }
  return copy;
}
