/**
 * The content management example's domain (Python's `contentmanagement` example): pages with a
 * title, a slug and a body, whose body edits are recorded as diffs; and an index of slugs, one
 * aggregate per slug, whose id follows from the slug, so that a page is found by its slug and
 * two pages cannot take the same slug.
 */
import { Aggregate, aggregate, event, NAMESPACE_URL, uuid5 } from 'eventsourcing/domain';
import { applyPatch, createDiff } from './diff.js';

/** A page was created. */
class Created extends Aggregate.Created {
  declare readonly title: string;
  declare readonly slug: string;
  declare readonly body: string;
}

/** A page's title was changed. */
class TitleUpdated extends Aggregate.Event {
  declare readonly title: string;
}

/** A page's slug was changed. */
class SlugUpdated extends Aggregate.Event {
  declare readonly slug: string;
}

/** A page's body was changed: the event holds the diff, not the new body. */
class BodyUpdated extends Aggregate.Event {
  declare readonly diff: string;
}

/** A page of content. */
@aggregate(Created)
export class Page extends Aggregate {
  /** Names the class in storage (and in the topics of its events). */
  static topic = 'content-management:Page';
  declare static readonly Created: typeof Created;
  declare static readonly TitleUpdated: typeof TitleUpdated;
  declare static readonly SlugUpdated: typeof SlugUpdated;
  declare static readonly BodyUpdated: typeof BodyUpdated;

  title: string;
  slug: string;
  body: string;

  constructor(title: string, slug: string, body: string) {
    super();
    this.title = title;
    this.slug = slug;
    this.body = body;
  }

  @event(TitleUpdated)
  updateTitle(title: string): void {
    this.title = title;
  }

  @event(SlugUpdated)
  updateSlug(slug: string): void {
    this.slug = slug;
  }

  /** Records the change of the body as a diff (the event's only field). */
  updateBody(body: string): void {
    this.applyDiff(createDiff(this.body, body));
  }

  @event(BodyUpdated)
  private applyDiff(diff: string): void {
    this.body = applyPatch(this.body, diff);
  }
}

/** The page a slug names (`ref`), or none when the slug was given up. */
@aggregate('Created')
export class Index extends Aggregate {
  static topic = 'content-management:Index';

  slug: string;
  ref: string | null;

  constructor(slug: string, ref: string | null) {
    super();
    this.slug = slug;
    this.ref = ref;
  }

  /** The id of a slug's index entry: the same for the same slug, in any process. */
  static override createId(slug: string): string {
    return uuid5(NAMESPACE_URL, `/slugs/${slug}`);
  }

  @event('RefChanged')
  updateRef(ref: string | null): void {
    this.ref = ref;
  }
}
