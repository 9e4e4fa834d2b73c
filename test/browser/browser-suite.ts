// The event browser in Chromium over a real application: the log paged and filtered, an
// aggregate opened from the log, the live tail, the lag of a projection, each checked against
// what the application stored; and nothing said on the page's console. Run on SQLite and on
// PostgreSQL by the test files of this directory.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Application } from '../../src/application/application.js';
import { createEventBrowserHandler } from '../../src/browser/index.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import type { StoreInspector } from '../../src/interface/store-inspector.js';
import type { RecorderClass } from '../../src/persistence/infrastructure-factory.js';
import type { TrackingRecorder } from '../../src/persistence/recorders.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { Projection } from '../../src/projection/projection.js';
import { ProjectionRunner } from '../../src/projection/projection-runner.js';
import { serve, type TestServer } from '../interface/helpers.js';
import { type DogSchool, HOSTILE_TRICK } from './fixtures/dog-school.js';
import { launchChromium, openPage, tableRows, viewReady, type WatchedPage } from './helpers.js';

/** A projection whose view records only its tracking: enough to have a position and a lag. */
export class BrowserDogNames extends Projection<TrackingRecorder> {
  async processEvent(_domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    await this.view.insertTracking(tracking);
  }
}

/** What a backend's suite runs on. */
export interface SuiteSetup {
  /** The backend, named in the tests' titles. */
  readonly backend: string;
  /** The application class (its name is the tables' prefix). */
  readonly applicationClass: typeof DogSchool;
  /** The environment of the application and of the projection's view. */
  env(): Record<string, string>;
  /** The view class of `BrowserDogNames`. */
  readonly viewClass: RecorderClass<TrackingRecorder>;
  /** How the browser reads the application: opened from the environment, or the app's own. */
  inspector(app: Application, env: Record<string, string>): StoreInspector;
  /** The path the browser is mounted under. */
  readonly basePath: string;
  /** Run before (cleaning up an earlier run) and after. */
  cleanup(): Promise<void>;
}

/** The events the application stores before the page loads. */
async function seed(app: DogSchool): Promise<{ fido: string; rex: string }> {
  const ids: string[] = [];
  for (const name of ['Fido', 'Rex', 'Bella', 'Max', 'Luna', 'Charlie', 'Daisy', 'Milo']) {
    ids.push(await app.registerDog(name));
  }
  for (let i = 0; i < 15; i++) ids.push(await app.registerDog(`Dog ${i + 1}`));
  const [fido, rex] = ids as [string, string];
  await app.addTrick(fido, 'sit');
  await app.addTrick(fido, HOSTILE_TRICK);
  await app.addTrick(rex, 'roll over');
  return { fido, rex };
}

/** The fields of a stored event as the page shows them: strings as they are, else JSON. */
function shownFields(event: DomainEventLike): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'originatorId' || key === 'originatorVersion' || key === 'timestamp') continue;
    fields[key] = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  }
  return fields;
}

export function browserSuite(setup: SuiteSetup): void {
  describe(`the event browser in Chromium, on ${setup.backend}`, () => {
    let app: DogSchool;
    let inspector: StoreInspector;
    let server: TestServer;
    let browser: Browser;
    let watched: WatchedPage;
    let page: Page;
    let closing: AbortController;
    let ids: { fido: string; rex: string };
    let projected: number;

    before(async () => {
      await setup.cleanup();
      const env = setup.env();
      app = new setup.applicationClass({ env });
      ids = await seed(app);
      // The projection processes what is stored so far, then stops: what follows is its lag.
      const runner = new ProjectionRunner({
        applicationClass: setup.applicationClass,
        projectionClass: BrowserDogNames,
        viewClass: setup.viewClass,
        env,
      });
      projected = (await app.recorder.maxNotificationId()) as number;
      await runner.wait(projected, { timeout: 10_000 });
      await runner.stop();
      await app.registerDog('Late');
      await app.registerDog('Later');
      inspector = setup.inspector(app, env);
      closing = new AbortController();
      server = await serve(
        createEventBrowserHandler({
          inspector,
          basePath: setup.basePath,
          lagReaders: [{ name: 'BrowserDogNames', kind: 'projection' }],
          signal: closing.signal,
        }),
        setup.basePath,
      );
      browser = await launchChromium();
      watched = await openPage(browser);
      page = watched.page;
    });

    after(async () => {
      await watched?.close();
      await browser?.close();
      closing?.abort();
      await server?.close();
      await inspector?.close();
      await app?.close();
      await setup.cleanup();
    });

    test('the log shows the notifications 20 a page, as stored, and pages on and back', async () => {
      await page.goto(`${server.url}/`);
      await viewReady(page, '#/log');
      const stored = await app.recorder.selectNotifications(1, 20);
      const expected = (notifications: typeof stored) =>
        notifications.map((n) => ({
          id: String(n.id),
          originatorId: n.originatorId,
          version: String(n.originatorVersion),
          topic: n.topic,
        }));
      assert.deepEqual(await tableRows(page, '#log-table'), expected(stored));
      assert.equal(await page.textContent('#page-range'), `ids ${stored[0]?.id}–${stored[19]?.id}`);
      assert.equal(await page.isDisabled('#previous-page'), true);

      await page.click('#next-page');
      const rest = await app.recorder.selectNotifications((stored[19]?.id as number) + 1, 20);
      await viewReady(page, `#/log?start=${rest[0]?.id}`);
      assert.deepEqual(await tableRows(page, '#log-table'), expected(rest));
      assert.equal(await page.isDisabled('#next-page'), true);

      await page.click('#previous-page');
      await viewReady(page, '#/log');
      assert.deepEqual(await tableRows(page, '#log-table'), expected(stored));
    });

    test('the topic filter shows only the notifications of the topics asked for', async () => {
      await page.goto(`${server.url}/#/log`);
      await viewReady(page, '#/log');
      const tricks = await app.recorder.selectNotifications(1, 100, {
        topics: ['Dog.TrickAdded'],
      });
      assert.equal(tricks.length, 3);
      await page.fill('#topic-filter', 'Dog.TrickAdded');
      await page.click('#apply-filter');
      await viewReady(page, '#/log?topics=Dog.TrickAdded');
      const rows = await tableRows(page, '#log-table');
      assert.deepEqual(
        rows.map((row) => [row.id, row.topic]),
        tricks.map((n) => [String(n.id), 'Dog.TrickAdded']),
      );
      assert.match(page.url(), /#\/log\?topics=Dog\.TrickAdded$/);

      // A row's topic filters by that topic too.
      await page.click('#clear-filter');
      await viewReady(page, '#/log');
      await page
        .locator('#log-table tbody tr button.topic', { hasText: 'Dog.Registered' })
        .first()
        .click();
      await viewReady(page, '#/log?topics=Dog.Registered');
      const registered = await tableRows(page, '#log-table');
      assert.ok(registered.every((row) => row.topic === 'Dog.Registered'));
    });

    test('an aggregate opened from the log shows its events and their fields as stored', async () => {
      await page.goto(`${server.url}/#/log?topics=Dog.TrickAdded`);
      await viewReady(page, '#/log?topics=Dog.TrickAdded');
      await page
        .locator(`#log-table tr[data-originator-id="${ids.fido}"] a.aggregate-link`)
        .first()
        .click();
      await viewReady(page, `#/aggregate/${ids.fido}`);
      const stored = await app.recorder.selectEvents(ids.fido);
      assert.equal(stored.length, 3);
      assert.equal(await page.locator('#aggregate-events section.event').count(), 3);
      for (const storedEvent of stored) {
        const domainEvent = app.mapper.toDomainEvent(storedEvent) as DomainEventLike & {
          timestamp: Date;
        };
        const section = page.locator(
          `#aggregate-events section.event[data-version="${storedEvent.originatorVersion}"]`,
        );
        assert.equal(await section.locator('h3.topic').textContent(), storedEvent.topic);
        assert.equal(
          await section.locator('.time').textContent(),
          domainEvent.timestamp.toISOString(),
        );
        const shown = await section
          .locator('tr.field')
          .evaluateAll((rows) =>
            rows.map((row) => [
              row.getAttribute('data-name') ?? '',
              row.querySelector('.field-value')?.textContent ?? '',
            ]),
          );
        assert.deepEqual(Object.fromEntries(shown), shownFields(domainEvent));
      }
      // A field holding markup is shown as text, and none of it ran.
      const hostile = page.locator(
        '#aggregate-events section.event[data-version="3"] tr.field[data-name="trick"] .field-value',
      );
      assert.equal(await hostile.textContent(), HOSTILE_TRICK);
      assert.equal(await page.locator('#view script, #view img').count(), 0);
      assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    });

    test('the live tail shows an event saved after the page loaded', async () => {
      await page.goto(`${server.url}/#/tail`);
      await page.locator('#tail-status', { hasText: /^live/ }).waitFor();
      assert.equal(await page.locator('#tail-table tbody tr').count(), 0);
      await app.addTrick(ids.rex, 'play dead');
      const id = (await app.recorder.maxNotificationId()) as number;
      const row = page.locator(`#tail-table tbody tr[data-id="${id}"]`);
      await row.waitFor();
      assert.deepEqual(await tableRows(page, '#tail-table'), [
        { id: String(id), originatorId: ids.rex, version: '3', topic: 'Dog.TrickAdded' },
      ]);
      assert.match((await row.locator('td.fields').textContent()) ?? '', /play dead/);
      assert.equal(await page.textContent('#tail-count'), '1 received');
    });

    test("the lag view shows the projection's position and how far behind it is", async () => {
      await page.goto(`${server.url}/#/lag`);
      await viewReady(page, '#/lag');
      const row = page.locator('#lag-table tr[data-name="BrowserDogNames"]');
      await row.waitFor();
      const head = (await app.recorder.maxNotificationId()) as number;
      assert.equal(await row.locator('td.position').textContent(), String(projected));
      assert.equal(await row.locator('td.head').textContent(), String(head));
      assert.equal(await row.locator('td.behind').textContent(), String(head - projected));
      assert.match((await row.locator('td.age').textContent()) ?? '', /^(<1 s|\d+ s)$/);
      assert.equal(await row.getAttribute('class'), 'behind');
    });

    test('the page said nothing on its console', () => {
      assert.deepEqual(watched.errors, []);
    });
  });
}
