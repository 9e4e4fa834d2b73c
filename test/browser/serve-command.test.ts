// `eventsourcing serve`: the event browser (read in Chromium) and the notification log over
// HTTP of an application in a SQLite file, stopping cleanly on SIGTERM and SIGINT (exit 0)
// with a live tail open; clear errors for bad arguments and a missing database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CliProcess, runCli } from '../cli/cli-process.js';
import { DogSchool, HOSTILE_TRICK } from './fixtures/dog-school.js';
import { launchChromium, openPage, tableRows, viewReady, whenChromium } from './helpers.js';

const FIXTURE = 'test/browser/fixtures/dog-school.ts';

describe('eventsourcing serve', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'browser-serve-'));
    env = {
      ...process.env,
      PERSISTENCE_MODULE: 'sqlite',
      DOGSCHOOL_SQLITE_DBNAME: join(dir, 'dog-school.db'),
    };
    const app = new DogSchool({ env: { ...env } as Record<string, string> });
    const fido = await app.registerDog('Fido');
    await app.addTrick(fido, HOSTILE_TRICK);
    await app.close();
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  async function start(): Promise<{ cli: CliProcess; url: string }> {
    const cli = new CliProcess(
      ['serve', '--app', 'DogSchool', '--port', '0', '--import', FIXTURE],
      env,
    );
    await cli.waitFor(/at http:\/\/127\.0\.0\.1:\d+\//);
    const url = (/at (http:\/\/127\.0\.0\.1:\d+)\//.exec(cli.stdout) as RegExpExecArray)[1];
    return { cli, url: url as string };
  }

  test('serves the browser and the log, and stops on SIGTERM with a tail open (exit 0)', async () => {
    const { cli, url } = await start();
    try {
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>DogSchool · /);
      const log = (await (await fetch(`${url}/api/notifications`)).json()) as {
        items: { topic: string; className: string | null }[];
      };
      assert.deepEqual(
        log.items.map((item) => [item.topic, item.className]),
        [
          ['Dog.Registered', 'Registered'],
          ['Dog.TrickAdded', 'TrickAdded'],
        ],
      );
      // The notification log in the Python library's JSON, for followers elsewhere.
      const section = (await (await fetch(`${url}/notifications/1,10`)).json()) as {
        id: string;
        items: { topic: string }[];
      };
      assert.equal(section.id, '1,2');
      assert.deepEqual(
        section.items.map((item) => item.topic),
        ['Dog.Registered', 'Dog.TrickAdded'],
      );
      const tail = await fetch(`${url}/api/tail`);
      const reader = (tail.body as ReadableStream<Uint8Array>).getReader();
      assert.match(new TextDecoder().decode((await reader.read()).value), /event: ready/);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
      for (;;) if ((await reader.read()).done) break;
      assert.match(cli.stdout, /SIGTERM received, stopping\neventsourcing serve: stopped\n$/);
      assert.equal(cli.stderr, '');
    } finally {
      cli.kill();
    }
  });

  whenChromium(() =>
    test('the page it serves shows the log in Chromium, and it stops on SIGINT (exit 0)', async () => {
      const { cli, url } = await start();
      const browser = await launchChromium();
      try {
        const { page, errors, close } = await openPage(browser);
        await page.goto(`${url}/`);
        await viewReady(page, '#/log');
        assert.deepEqual(
          (await tableRows(page, '#log-table')).map((row) => [row.id, row.topic]),
          [
            ['1', 'Dog.Registered'],
            ['2', 'Dog.TrickAdded'],
          ],
        );
        assert.equal(await page.locator('#app-summary a').getAttribute('href'), '/notifications');
        await page.goto(`${url}/#/tail`);
        await page.locator('#tail-status', { hasText: /^live/ }).waitFor();
        assert.deepEqual(errors, []);
        cli.child.kill('SIGINT');
        assert.equal(await cli.exited, 0);
        await close();
      } finally {
        await browser.close();
        cli.kill();
      }
    }),
  );

  test('bad arguments exit 2 saying what was wrong; a missing database exits 1', async () => {
    const noApp = await runCli(['serve'], env);
    assert.equal(noApp.code, 2);
    assert.match(noApp.stderr, /serve needs --app <Name>/);
    const badPort = await runCli(['serve', '--app', 'DogSchool', '--port', '70000'], env);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port needs a port number from 0 to 65535, got '70000'/);
    const unknown = await runCli(['serve', '--app', 'DogSchool', '--json'], env);
    assert.equal(unknown.code, 2);
    const missing = await runCli(['serve', '--app', 'Nope', '--port', '0'], {
      ...env,
      NOPE_SQLITE_DBNAME: join(dir, 'nope.db'),
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.db.*does not exist/);
    const help = await runCli(['serve', '--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: eventsourcing serve --app <Name> \[--port <N>\]/);
  });
});
