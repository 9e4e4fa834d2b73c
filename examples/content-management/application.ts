/**
 * The content management application (Python's `ContentManagementApplication`): creates pages,
 * changes their titles, slugs and bodies, and finds them by slug or id. In the system it leads:
 * the search index follows its events.
 */
import { AggregateNotFoundError, Application } from 'eventsourcing/application';
import { Index, Page } from './domain.js';

/** What the queries return: a page's fields, not the aggregate. */
export interface PageDetails {
  readonly title: string;
  readonly slug: string;
  readonly body: string;
}

/** No page has the slug. */
export class PageNotFoundError extends Error {
  constructor(slug: string) {
    super(`No page has the slug ${JSON.stringify(slug)}.`);
    this.name = 'PageNotFoundError';
  }
}

/** Another page has the slug. */
export class SlugConflictError extends Error {
  constructor(slug: string) {
    super(`Another page has the slug ${JSON.stringify(slug)}.`);
    this.name = 'SlugConflictError';
  }
}

/** Pages of content, event-sourced; the body edits are stored as diffs. */
export class ContentManagement extends Application {
  /** Creates a page and the index entry of its slug, in one save. */
  async createPage(title: string, slug: string, body = ''): Promise<string> {
    const page = new Page(title, slug, body);
    // A slug taken already: the index entry's id exists, so the save is an IntegrityError.
    await this.save(page, new Index(slug, page.id));
    return page.id;
  }

  async getPageBySlug(slug: string): Promise<PageDetails> {
    return details(await this.pageBySlug(slug));
  }

  async getPageById(pageId: string): Promise<PageDetails> {
    return details(await this.repository.get<Page>(pageId));
  }

  async updateTitle(slug: string, title: string): Promise<void> {
    const page = await this.pageBySlug(slug);
    page.updateTitle(title);
    await this.save(page);
  }

  async updateBody(slug: string, body: string): Promise<void> {
    const page = await this.pageBySlug(slug);
    page.updateBody(body);
    await this.save(page);
  }

  /** Moves a page to a new slug: the old slug is given up, the new one taken, in one save. */
  async updateSlug(oldSlug: string, newSlug: string): Promise<void> {
    const page = await this.pageBySlug(oldSlug);
    page.updateSlug(newSlug);
    const oldIndex = await this.repository.get<Index>(Index.createId(oldSlug));
    oldIndex.updateRef(null);
    let newIndex: Index;
    try {
      newIndex = await this.repository.get<Index>(Index.createId(newSlug));
      if (newIndex.ref !== null) throw new SlugConflictError(newSlug);
      newIndex.updateRef(page.id);
    } catch (error) {
      if (!(error instanceof AggregateNotFoundError)) throw error;
      newIndex = new Index(newSlug, page.id);
    }
    await this.save(page, oldIndex, newIndex);
  }

  private async pageBySlug(slug: string): Promise<Page> {
    let index: Index;
    try {
      index = await this.repository.get<Index>(Index.createId(slug));
    } catch (error) {
      if (error instanceof AggregateNotFoundError) throw new PageNotFoundError(slug);
      throw error;
    }
    if (index.ref === null) throw new PageNotFoundError(slug);
    return this.repository.get<Page>(index.ref);
  }
}

function details(page: Page): PageDetails {
  return { title: page.title, slug: page.slug, body: page.body };
}
