import { AggregateNotFoundError } from '../application/errors.js';
import { describeValue } from '../utils/describe-value.js';
import type { DCBEventStore, DCBEventStoreReadOptions } from './dcb-event-store.js';
import { EnduringObject } from './enduring-object.js';
import type { Group } from './group.js';
import type { Perspective } from './perspective.js';
import { Selector } from './selector.js';

/** Options of `DCBRepository.advance`. */
export type AdvanceOptions = Pick<DCBEventStoreReadOptions, 'limit' | 'backwards'>;

/**
 * Reads and saves perspectives (Python's `DCBRepository`): enduring objects by id, groups of
 * them, and slices advanced through their consistency boundaries; saving appends a
 * perspective's new decisions on the condition that nothing its boundary selects was appended
 * after the position it read up to.
 */
export class DCBRepository {
  /** The store of tagged decisions. */
  readonly eventStore: DCBEventStore;

  constructor(eventStore: DCBEventStore) {
    this.eventStore = eventStore;
  }

  /**
   * Appends the perspective's new decisions, failing with an `IntegrityError` (nothing
   * appended, the decisions kept) when a decision its boundary selects was appended after its
   * `lastKnownPosition`. Resolves to the last position, which becomes the perspective's
   * `lastKnownPosition`; with no new decisions, to 0, changing nothing.
   */
  async save(perspective: Perspective): Promise<number> {
    const decisions = perspective.newDecisions;
    if (decisions.length === 0) return 0;
    const position = await this.eventStore.append(
      decisions,
      perspective.consistencyBoundary(),
      perspective.lastKnownPosition,
    );
    // Dropped only now, so that a failed save leaves them to inspect (or save elsewhere).
    perspective.newDecisions = perspective.newDecisions.slice(decisions.length);
    perspective.lastKnownPosition = position;
    return position;
  }

  /**
   * The enduring object with this id, made from every decision tagged with it (the first being
   * its initial decision). An id with no decisions is an `AggregateNotFoundError`.
   */
  async get<T extends EnduringObject = EnduringObject>(id: string): Promise<T> {
    checkId(id);
    const response = await this.eventStore.read(new Selector({ tags: [id] }));
    let obj: EnduringObject | null = null;
    for (const tagged of response.events) {
      obj = tagged.decision.mutate(obj);
    }
    if (obj === null) {
      throw new AggregateNotFoundError(
        `Enduring object '${id}' not found: no decision is tagged with that id.`,
      );
    }
    if (!(obj instanceof EnduringObject)) {
      throw new TypeError(
        `The decisions tagged '${id}' made ${describeValue(obj)}, not an EnduringObject.`,
      );
    }
    obj.lastKnownPosition = response.head;
    return obj as T;
  }

  /**
   * The enduring objects with these ids, in the same order, read together in one query:
   * `null` for an id with no decisions. Each has the same `lastKnownPosition`.
   */
  async getMany(...ids: string[]): Promise<(EnduringObject | null)[]> {
    for (const id of ids) checkId(id);
    if (ids.length === 0) return [];
    const objs = new Map<string, EnduringObject | null>(ids.map((id) => [id, null]));
    const response = await this.eventStore.read(ids.map((id) => new Selector({ tags: [id] })));
    for (const tagged of response.events) {
      for (const tag of tagged.tags) {
        if (!objs.has(tag)) continue;
        objs.set(tag, tagged.decision.mutate(objs.get(tag) ?? null));
      }
    }
    return ids.map((id) => {
      const obj = objs.get(id) ?? null;
      if (obj !== null) obj.lastKnownPosition = response.head;
      return obj;
    });
  }

  /**
   * A group of the enduring objects with these ids, made with `new groupClass(...objects)` (in
   * the order of the ids). An id with no decisions is an `AggregateNotFoundError`.
   */
  async getGroup<G extends Group>(
    groupClass: new (...objects: never[]) => G,
    ...ids: string[]
  ): Promise<G> {
    const objs = await this.getMany(...ids);
    const missing = ids.filter((_, i) => objs[i] === null);
    if (missing.length > 0) {
      throw new AggregateNotFoundError(
        `Cannot make a ${groupClass.name}: enduring object ${missing.map((id) => `'${id}'`).join(', ')} not found.`,
      );
    }
    const group = new groupClass(...(objs as never[]));
    const positions = objs.map((o) => o?.lastKnownPosition ?? null).filter((p) => p !== null);
    group.lastKnownPosition = positions.length > 0 ? Math.max(...positions) : null;
    return group;
  }

  /**
   * Applies to the perspective the decisions its boundary selects after its
   * `lastKnownPosition`, and moves that position on. `{ backwards: true, limit: 1 }` applies
   * only the newest (the invoice-number example); decisions read backwards are applied newest
   * first.
   */
  async advance<P extends Perspective>(perspective: P, options: AdvanceOptions = {}): Promise<P> {
    const response = await this.eventStore.read(perspective.consistencyBoundary(), {
      after: perspective.lastKnownPosition,
      limit: options.limit ?? null,
      backwards: options.backwards ?? false,
    });
    for (const tagged of response.events) tagged.decision.mutate(perspective);
    if (response.head !== null) perspective.lastKnownPosition = response.head;
    return perspective;
  }
}

function checkId(id: unknown): void {
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(`An enduring object's id is a non-empty string, got ${describeValue(id)}.`);
  }
}
