/**
 * The search index process application (Python's `SearchIndexApplication`): it follows the
 * content management application and keeps a full-text index of its pages. It records an
 * `IndexedPage` aggregate of its own per page (the page's text, its body patched from the
 * diffs), and its recorder writes each new version of a page into the full-text index in the
 * same transaction as those events and the tracking of the content event processed: the index
 * changes exactly once per content event, or not at all.
 */
import type { ProcessingEvent } from 'eventsourcing/application';
import { Aggregate, aggregate, type DomainEventLike, event, getTopic } from 'eventsourcing/domain';
import { EventStore, type InsertEventsOptions, type Recording } from 'eventsourcing/persistence';
import { ProcessApplication } from 'eventsourcing/system';
import { applyPatch } from './diff.js';
import { Page } from './domain.js';
import { isSearchRecorder, type PageRow, type SearchRecorder } from './search-recorder.js';

/** A page was indexed. */
class Indexed extends Aggregate.Created {
  declare readonly slug: string;
  declare readonly title: string;
  declare readonly body: string;
}

/** An indexed page's text changed. */
class Changed extends Aggregate.Event {
  declare readonly slug: string;
  declare readonly title: string;
  declare readonly body: string;
}

/** A page's text as the search index has it, under the page's own id. */
@aggregate(Indexed)
export class IndexedPage extends Aggregate {
  static topic = 'content-management:IndexedPage';
  declare static readonly Indexed: typeof Indexed;
  declare static readonly Changed: typeof Changed;

  slug: string;
  title: string;
  body: string;

  // The `id` parameter gives the aggregate its id (the page's): it is not a field of the event.
  // biome-ignore lint/correctness/noUnusedFunctionParameters: read by @aggregate, by its name.
  constructor(id: string, slug: string, title: string, body: string) {
    super();
    this.slug = slug;
    this.title = title;
    this.body = body;
  }

  @event(Changed)
  change(slug: string, title: string, body: string): void {
    this.slug = slug;
    this.title = title;
    this.body = body;
  }
}

/** Gives the recorder, with each save's events, the rows of the pages those events index. */
class IndexingEventStore extends EventStore {
  override put<E extends DomainEventLike>(
    events: readonly E[],
    options?: InsertEventsOptions,
  ): Promise<Recording<E>[]> {
    const rows: PageRow[] = [];
    for (const e of events) {
      if (e instanceof IndexedPage.Indexed || e instanceof IndexedPage.Changed) {
        rows.push({ pageId: e.originatorId, slug: e.slug, title: e.title, body: e.body });
      }
    }
    return super.put(events, rows.length === 0 ? options : { ...options, indexPages: rows });
  }
}

/**
 * Indexes the pages of `ContentManagement`. Its recorder must be a search recorder: set
 * `SEARCHINDEX_PROCESS_RECORDER_TOPIC` to `SQLITE_SEARCH_RECORDER` or
 * `POSTGRES_SEARCH_RECORDER` (see system.ts).
 */
export class SearchIndex extends ProcessApplication {
  /** Only page events: the slug index's events are tracked, not given to the policy. */
  static override topics = [
    getTopic(Page.Created),
    getTopic(Page.TitleUpdated),
    getTopic(Page.SlugUpdated),
    getTopic(Page.BodyUpdated),
  ];

  declare readonly recorder: SearchRecorder;

  protected override constructRecorder(): SearchRecorder {
    const recorder = super.constructRecorder();
    if (!isSearchRecorder(recorder)) {
      throw new TypeError(
        `${this.name} needs a search recorder, not ${recorder.constructor.name}: set ` +
          `${this.name.toUpperCase()}_PROCESS_RECORDER_TOPIC to '${SQLITE_SEARCH_RECORDER}' ` +
          `or '${POSTGRES_SEARCH_RECORDER}' (and import the example's system.ts).`,
      );
    }
    return recorder;
  }

  protected override constructEventStore(): EventStore {
    return new IndexingEventStore(this.mapper, this.recorder);
  }

  override async policy(domainEvent: DomainEventLike, processingEvent: ProcessingEvent) {
    const pageId = domainEvent.originatorId;
    if (domainEvent instanceof Page.Created) {
      const { slug, title, body } = domainEvent;
      processingEvent.collectEvents(new IndexedPage(pageId, slug, title, body));
      return;
    }
    // A page event after its creation: the page's text as indexed so far, changed.
    const page = await this.repository.get<IndexedPage>(pageId);
    let { slug, title, body } = page;
    if (domainEvent instanceof Page.TitleUpdated) title = domainEvent.title;
    else if (domainEvent instanceof Page.SlugUpdated) slug = domainEvent.slug;
    else if (domainEvent instanceof Page.BodyUpdated) body = applyPatch(body, domainEvent.diff);
    page.change(slug, title, body);
    processingEvent.collectEvents(page);
  }

  /** The ids of the pages that match the query (see `SearchRecorder.searchPages`). */
  search(query: string): Promise<string[]> {
    return this.recorder.searchPages(query);
  }
}

/** The topic of the SQLite search recorder (registered by sqlite-search-recorder.ts). */
export const SQLITE_SEARCH_RECORDER = 'content-management:SQLiteSearchRecorder';
/** The topic of the PostgreSQL search recorder (registered by postgres-search-recorder.ts). */
export const POSTGRES_SEARCH_RECORDER = 'content-management:PostgresSearchRecorder';
