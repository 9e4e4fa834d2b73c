import { getTopic } from '../domain/topics.js';
import type { DCBAppendCondition, DCBQuery, DCBRecorder } from '../persistence/dcb-recorder.js';
import type { DCBMapper } from './dcb-mapper.js';
import { type ConsistencyBoundary, selectorsOf } from './selector.js';
import type { Tagged } from './tagged.js';

/** Options of `DCBEventStore.read`. */
export interface DCBEventStoreReadOptions {
  /** Only decisions after this position (from the start when null). */
  after?: number | null;
  /** At most this many decisions. */
  limit?: number | null;
  /** Newest first. */
  backwards?: boolean;
}

/** What `DCBEventStore.read` resolves to. */
export interface DCBEventStoreReadResponse {
  /** The selected decisions, oldest first (newest first when read backwards). */
  readonly events: Tagged[];
  /**
   * The position to append after, having applied `events`: the store's last position when no
   * limit was given; with a limit, the newest position returned (the recorder's `head`); null
   * when there is none.
   */
  readonly head: number | null;
}

/**
 * The store of tagged decisions (Python's `DCBEventStore`): a mapper over a DCB recorder, with
 * consistency boundaries (selectors of decision classes and tags) as queries.
 */
export class DCBEventStore {
  /** Converts tagged decisions to DCB events and back. */
  readonly mapper: DCBMapper;
  /** Stores the DCB events. */
  readonly recorder: DCBRecorder;

  constructor(mapper: DCBMapper, recorder: DCBRecorder) {
    this.mapper = mapper;
    this.recorder = recorder;
  }

  /**
   * Appends tagged decisions atomically and resolves to the last position (0 when there are
   * none). With a boundary or an `after`, the append is conditional: it fails with an
   * `IntegrityError`, appending nothing, when the store holds a decision after `after` that the
   * boundary selects (an empty boundary selects every decision).
   */
  async append(
    events: readonly Tagged[],
    cb?: ConsistencyBoundary | null,
    after?: number | null,
  ): Promise<number> {
    if (events.length === 0) return 0;
    const selectors = selectorsOf(cb);
    const condition: DCBAppendCondition | null =
      selectors.length === 0 && (after === null || after === undefined)
        ? null
        : { failIfEventsMatch: toQuery(cb), after: after ?? null };
    const dcbEvents = events.map((e) => this.mapper.toDCBEvent(e));
    return this.recorder.append(dcbEvents, condition);
  }

  /** The decisions a consistency boundary selects (every decision when it is empty). */
  async read(
    cb?: ConsistencyBoundary | null,
    options: DCBEventStoreReadOptions = {},
  ): Promise<DCBEventStoreReadResponse> {
    const { after = null, limit = null, backwards = false } = options;
    const response = await this.recorder.read(toQuery(cb), { after, limit, backwards });
    const events = response.events.map((e) => this.mapper.toTagged(e.event));
    return { events, head: response.head };
  }
}

/** The DCB query of a consistency boundary: one item per selector, decision classes as topics. */
export function toQuery(cb?: ConsistencyBoundary | null): DCBQuery {
  return {
    items: selectorsOf(cb).map((s) => ({
      types: s.types.map((t) => getTopic(t)),
      tags: [...s.tags],
    })),
  };
}
