// The deliveries of a projection specification: each event (or batch) delivered once, then
// again with the same tracking, and what went wrong, described for the failure messages.
import { AssertionError } from 'node:assert';
import { inspect, isDeepStrictEqual } from 'node:util';
import type { DomainEventLike } from '../domain/protocols.js';
import { lookupTopic } from '../domain/topics.js';
import { IntegrityError } from '../persistence/errors.js';
import type { TrackingRecorder } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import type { SpecifiedProjection } from './projection-specification.js';

/** One event as delivered: its tracking, whether it is a `when` event and passes `topics`. */
export interface Delivery {
  readonly event: DomainEventLike;
  readonly tracking: Tracking;
  readonly when: boolean;
  readonly passes: boolean;
}

/**
 * What went wrong: a `given` or `when` event threw (`cause`; `error` describes the event), or a
 * `when` event delivered `twice` was applied twice (`error`).
 */
export interface Failure {
  readonly kind: 'given' | 'when' | 'twice';
  readonly error: Error;
  readonly cause: unknown;
}

/** Delivers events to a projection, once or a second time, and says how it went. */
export class Deliverer<TView extends TrackingRecorder> {
  constructor(
    private readonly projection: SpecifiedProjection,
    private readonly view: TView,
    private readonly state: (view: TView) => unknown,
  ) {}

  /** Delivers the step once, then records its tracking if the projection did not. */
  async once(step: readonly Delivery[]): Promise<Failure | null> {
    const last = step.at(-1)!;
    try {
      await this.process(step);
      const max = await this.view.maxTrackingId(last.tracking.applicationName);
      if (max === null || max < last.tracking.notificationId) {
        await this.view.insertTracking(last.tracking);
      }
      return null;
    } catch (cause) {
      const error = new Error(`${describeStep(step)} failed: ${messageOf(cause)}`, { cause });
      return { kind: last.when ? 'when' : 'given', error, cause };
    }
  }

  /** Delivers the step again with the same tracking: it must change nothing. */
  async again(step: readonly Delivery[]): Promise<Failure | null> {
    const applicationName = step[0]!.tracking.applicationName;
    const before = [await this.state(this.view), await this.view.maxTrackingId(applicationName)];
    let thrown: unknown = null;
    try {
      await this.process(step);
    } catch (cause) {
      thrown = cause;
    }
    const after = [await this.state(this.view), await this.view.maxTrackingId(applicationName)];
    let problem: string | null = null;
    if (!isDeepStrictEqual(before, after)) {
      problem =
        `${describeStep(step)} was applied twice: delivered again with the same tracking, it ` +
        `changed the view${thrown === null ? ' without an IntegrityError' : ` (then threw ${messageOf(thrown)})`}. ` +
        "Write the view's changes with its tracking in one transaction (the view's " +
        'transaction(tracking, …)), which rejects a tracking already recorded with an ' +
        'IntegrityError before changing anything.';
    } else if (thrown !== null && !(thrown instanceof IntegrityError)) {
      problem =
        `${describeStep(step)}, delivered again with the same tracking, threw ` +
        `${messageOf(thrown)} instead of an IntegrityError.`;
    }
    if (problem === null) return null;
    const error = new AssertionError({ message: problem });
    if (thrown !== null) error.cause = thrown;
    return { kind: 'twice', error, cause: thrown };
  }

  private async process(step: readonly Delivery[]): Promise<void> {
    const items = step.filter((d) => d.passes).map((d) => [d.event, d.tracking] as const);
    const { projection } = this;
    if (projection.processBatch !== undefined) {
      if (items.length > 0) await projection.processBatch(items, step.at(-1)!.tracking);
    } else {
      for (const [event, tracking] of items) await projection.processEvent(event, tracking);
    }
  }
}

/** A view's default state: every field, deeply, as `util.inspect` shows it. */
export function defaultState(view: unknown): string {
  return inspect(view, {
    depth: Number.POSITIVE_INFINITY,
    maxArrayLength: Number.POSITIVE_INFINITY,
    maxStringLength: Number.POSITIVE_INFINITY,
    breakLength: Number.POSITIVE_INFINITY,
    customInspect: false,
  });
}

function describeEvent({ event, tracking, when }: Delivery): string {
  const cls = event.constructor;
  const topic = lookupTopic(cls) ?? cls.name;
  return (
    `${when ? 'when' : 'given'} event ${topic} (originator ${event.originatorId} version ` +
    `${event.originatorVersion}, tracking ${tracking.applicationName} ${tracking.notificationId})`
  );
}

function describeStep(step: readonly Delivery[]): string {
  if (step.length === 1) return `The ${describeEvent(step[0]!)}`;
  const first = step[0]!;
  const last = step.at(-1)!;
  return (
    `The batch of ${first.when ? 'when' : 'given'} events with tracking ` +
    `${first.tracking.notificationId}–${last.tracking.notificationId}`
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
