import { Repository, type RepositoryGetOptions } from '../application/repository.js';

/**
 * The repository of an `EventSourcedProjection`: before it gets an aggregate, it lets the
 * projection record what its open batch has collected for that aggregate, so that a policy
 * gets the aggregate at the version it changed it to earlier in the batch.
 *
 * @internal
 */
export class ChunkRepository extends Repository {
  private readonly beforeGet: (aggregateId: string) => Promise<void>;

  /** A repository like `base` (same stores, cache and options) that calls `beforeGet` first. */
  constructor(base: Repository, beforeGet: (aggregateId: string) => Promise<void>) {
    super(base.eventStore, {
      snapshotStore: base.snapshotStore,
      cache: base.cache,
      fastforward: base.fastforward,
      fastforwardSkipping: base.fastforwardSkipping,
      deepcopyFromCache: base.deepcopyFromCache,
    });
    this.beforeGet = beforeGet;
  }

  /** Records the open batch first when it changed this aggregate, then gets it. */
  override async get<A>(aggregateId: string, options?: RepositoryGetOptions<A>): Promise<A> {
    await this.beforeGet(aggregateId);
    return super.get<A>(aggregateId, options);
  }
}
