import { describeValue } from '../utils/describe-value.js';
import { DomainEvent } from './domain-event.js';
import { TopicError } from './errors.js';
import { runtime } from './internal.js';
import { getTopic, registerTopic, resolveTopic } from './topics.js';
import { classVersionOf, upcastState } from './versioning.js';

/** The aggregate fields a snapshot leaves out: they come from the snapshot event itself. */
const OMITTED = new Set(['id', 'version', 'pendingEvents']);

/** Python's names of the aggregate's timestamps in snapshot state (storage compatibility). */
const TO_STATE: Readonly<Record<string, string>> = {
  createdOn: '_created_on',
  modifiedOn: '_modified_on',
};
const FROM_STATE: Readonly<Record<string, string>> = {
  _created_on: 'createdOn',
  _modified_on: 'modifiedOn',
};

/**
 * A snapshot of an aggregate: its state at one version, so the aggregate can be reconstructed
 * without replaying every event. `state` holds the aggregate's own fields by name, its
 * timestamps as `_created_on` and `_modified_on` (Python's names), and `class_version` when the
 * aggregate class's `classVersion` is above 1; never the id, version or pending events.
 */
export class Snapshot extends DomainEvent {
  /** The topic of the aggregate's class. */
  declare readonly topic: string;
  /** The aggregate's fields (a shallow copy). */
  declare readonly state: Record<string, unknown>;

  /** Takes a snapshot of an aggregate (any object with `id` and `version`). */
  static take<S extends Snapshot>(
    this: { readonly prototype: S },
    aggregate: { readonly id: string; readonly version: number },
  ): S {
    return takeSnapshot(this, aggregate);
  }

  /**
   * Reconstructs the aggregate from this snapshot, without calling its constructor. The state is
   * copied and upcast first (`upcastV1V2`, ... on the aggregate class); the argument is ignored.
   */
  mutate<A = unknown>(_aggregate?: A | null): A {
    const cls = resolveTopic<(abstract new () => object) & { prototype: object }>(this.topic);
    if (typeof cls !== 'function') {
      throw new TopicError(`Snapshot topic '${this.topic}' does not name a class.`);
    }
    const state: Record<string, unknown> = { ...this.state };
    const fromVersion = state.class_version;
    delete state.class_version;
    upcastState(cls, state, typeof fromVersion === 'number' ? fromVersion : 1);
    const aggregate = Object.create(cls.prototype) as Record<string, unknown>;
    // Same property order as a constructed aggregate, so both share a hidden class.
    aggregate.id = this.originatorId;
    aggregate.version = this.originatorVersion;
    const base = runtime.aggregatePrototype;
    const isAggregate = base !== null && Object.prototype.isPrototypeOf.call(base, cls.prototype);
    if ('_created_on' in state) aggregate.createdOn = state._created_on;
    if ('_modified_on' in state) aggregate.modifiedOn = state._modified_on;
    if (isAggregate) aggregate.pendingEvents = [];
    for (const key of Object.keys(state)) {
      aggregate[FROM_STATE[key] ?? key] = state[key];
    }
    return aggregate as A;
  }
}

/** Takes a snapshot of `aggregate` as an instance of `cls` (what `Snapshot.take` does). */
export function takeSnapshot<S extends Snapshot>(
  cls: { readonly prototype: S },
  aggregate: { readonly id: string; readonly version: number },
): S {
  if (aggregate === null || typeof aggregate !== 'object') {
    throw new TypeError(`Cannot take a snapshot of ${describeValue(aggregate)}: not an aggregate.`);
  }
  const source = aggregate as unknown as Record<string, unknown>;
  const state: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (OMITTED.has(key)) continue;
    state[TO_STATE[key] ?? key] = source[key];
  }
  const classVersion = classVersionOf(aggregate.constructor);
  if (classVersion > 1) state.class_version = classVersion;
  const snapshot = Object.create(cls.prototype) as Record<string, unknown>;
  snapshot.originatorId = aggregate.id;
  snapshot.originatorVersion = aggregate.version;
  snapshot.timestamp = new Date();
  snapshot.topic = getTopic(aggregate.constructor);
  snapshot.state = state;
  return Object.freeze(snapshot) as unknown as S;
}

registerTopic('Snapshot', Snapshot);
// The Python library's topic for its Snapshot class, so that its snapshots can be read here.
registerTopic('eventsourcing.domain:Snapshot', Snapshot);
