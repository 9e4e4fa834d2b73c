// authorize in a real browser: a refused page is not shown; a page behind HTTP Basic
// authentication is shown once the browser sends the credentials, to every API call and the
// live tail too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createEventBrowserHandler } from '../../src/browser/index.js';
import { StoreInspector } from '../../src/interface/store-inspector.js';
import { serve, type TestServer } from '../interface/helpers.js';
import { DogSchool } from './fixtures/dog-school.js';
import { launchChromium, openPage, viewReady, whenChromium } from './helpers.js';

const CREDENTIALS = { username: 'operator', password: 's3cret' };
const EXPECTED = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;

whenChromium(() =>
  describe('the event browser behind authorize, in Chromium', () => {
    let app: DogSchool;
    let inspector: StoreInspector;
    let refusing: TestServer;
    let basic: TestServer;
    let browser: Browser;
    const closing = new AbortController();
    const asked: string[] = [];

    before(async () => {
      app = new DogSchool();
      await app.registerDog('Fido');
      inspector = StoreInspector.forApplication(app);
      refusing = await serve(createEventBrowserHandler({ inspector, authorize: () => false }));
      basic = await serve(
        createEventBrowserHandler({
          inspector,
          signal: closing.signal,
          authorize: (request) => {
            asked.push(new URL(request.url).pathname);
            if (request.headers.get('authorization') === EXPECTED) return true;
            return new Response('{"error": "Sign in to read these events."}', {
              status: 401,
              headers: {
                'Content-Type': 'application/json',
                'WWW-Authenticate': 'Basic realm="events"',
              },
            });
          },
        }),
      );
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      closing.abort();
      await refusing?.close();
      await basic?.close();
      await inspector?.close();
      await app?.close();
    });

    test('a refused request gets a 401 and the page is not shown', async () => {
      const { page, close } = await openPage(browser);
      const response = await page.goto(`${refusing.url}/`);
      assert.equal(response?.status(), 401);
      assert.match(await page.content(), /Unauthorized: send credentials/);
      assert.equal(await page.locator('#log-table').count(), 0);
      await close();
    });

    test('without the password, Basic authentication is asked for; with it, every view is read', async () => {
      const anonymous = await openPage(browser);
      const refused = await anonymous.page.request.get(`${basic.url}/`);
      assert.equal(refused.status(), 401);
      assert.equal(refused.headers()['www-authenticate'], 'Basic realm="events"');
      // Chromium asks for the password, which nobody gives here: the navigation fails.
      await assert.rejects(anonymous.page.goto(`${basic.url}/`), /ERR_INVALID_AUTH_CREDENTIALS/);
      await anonymous.close();

      const signedIn = await openPage(browser, { httpCredentials: CREDENTIALS });
      const { page } = signedIn;
      asked.length = 0;
      const response = await page.goto(`${basic.url}/`);
      assert.equal(response?.status(), 200);
      await viewReady(page, '#/log');
      assert.equal(await page.locator('#log-table tbody tr').count(), 1);
      await page.goto(`${basic.url}/#/tail`);
      await page.locator('#tail-status', { hasText: /^live/ }).waitFor();
      for (const path of ['/', '/browser.js', '/browser.css', '/api/notifications', '/api/tail']) {
        assert.ok(asked.includes(path), `${path} was authorized: ${asked.join(', ')}`);
      }
      assert.deepEqual(signedIn.errors, []);
      await signedIn.close();
    });
  }),
);
