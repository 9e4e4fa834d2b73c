// Screenshots of the event browser's four views for docs/browser.md, taken in Debian's Chromium
// (driven by playwright-core) over a SQLite application made for them in a temporary directory:
//   node --import tsx scripts/browser-screenshots.ts   (writes docs/images/browser-*.png)
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventBrowserHandler } from '../src/browser/index.js';
import type { DomainEventLike } from '../src/domain/protocols.js';
import { toNodeListener } from '../src/interface/node-listener.js';
import { StoreInspector } from '../src/interface/store-inspector.js';
import type { TrackingRecorder } from '../src/persistence/recorders.js';
import type { Tracking } from '../src/persistence/stored-event.js';
import { Projection } from '../src/projection/projection.js';
import { ProjectionRunner } from '../src/projection/projection-runner.js';
import { SQLiteTrackingRecorder } from '../src/sqlite/sqlite-tracking-recorder.js';
import { DogSchool } from '../test/browser/fixtures/dog-school.js';
import { launchChromium } from '../test/browser/helpers.js';

const images = fileURLToPath(new URL('../docs/images/', import.meta.url));

/** A projection whose view keeps only its position. */
class DogNames extends Projection<TrackingRecorder> {
  async processEvent(_event: DomainEventLike, tracking: Tracking): Promise<void> {
    await this.view.insertTracking(tracking);
  }
}
class TrickCounts extends DogNames {}

const dir = mkdtempSync(join(tmpdir(), 'browser-screenshots-'));
const env = {
  PERSISTENCE_MODULE: 'sqlite',
  SQLITE_DBNAME: join(dir, 'dog-school.db'),
  DOGNAMES_SQLITE_DBNAME: join(dir, 'dog-names.db'),
  TRICKCOUNTS_SQLITE_DBNAME: join(dir, 'trick-counts.db'),
};
const app = new DogSchool({ env });
const names = ['Fido', 'Rex', 'Bella', 'Max', 'Luna', 'Charlie', 'Daisy', 'Milo', 'Coco', 'Rocky'];
const tricks = ['sit', 'roll over', 'play dead', 'fetch', 'shake hands', 'stay', 'high five'];
const ids: string[] = [];
for (const [i, name] of names.entries()) {
  ids.push(await app.registerDog(name));
  await app.addTrick(ids[i] as string, tricks[i % tricks.length] as string);
}
const fido = ids[0] as string;
await app.addTrick(fido, 'fetch the newspaper');
await app.addTrick(fido, 'open the door');

// One projection stopped a few events behind, one caught up.
const projected = (await app.recorder.maxNotificationId()) as number;
for (const projectionClass of [DogNames, TrickCounts]) {
  const runner = new ProjectionRunner({
    applicationClass: DogSchool,
    projectionClass,
    viewClass: SQLiteTrackingRecorder,
    env,
  });
  await runner.wait(projected, { timeout: 10_000 });
  await runner.stop();
}
for (const name of ['Buddy', 'Sadie', 'Toby']) await app.registerDog(name);
const trickCounts = new ProjectionRunner({
  applicationClass: DogSchool,
  projectionClass: TrickCounts,
  viewClass: SQLiteTrackingRecorder,
  env,
});
await trickCounts.wait((await app.recorder.maxNotificationId()) as number, { timeout: 10_000 });
await trickCounts.stop();

const inspector = StoreInspector.open('DogSchool', env);
const closing = new AbortController();
const server = createServer(
  toNodeListener(
    createEventBrowserHandler({
      inspector,
      signal: closing.signal,
      notificationLogPath: '/notifications',
      lagReaders: [
        { name: 'DogNames', kind: 'projection' },
        { name: 'TrickCounts', kind: 'projection' },
      ],
    }),
  ),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
  const shoot = async (name: string) => {
    await page.locator('main#view[data-state="ready"]').waitFor();
    await page.screenshot({ path: join(images, `browser-${name}.png`) });
    console.log(`docs/images/browser-${name}.png`);
  };
  await page.goto(`${url}/#/log`);
  await shoot('log');
  await page.goto(`${url}/#/aggregate/${fido}`);
  await shoot('aggregate');
  await page.goto(`${url}/#/lag`);
  await shoot('lag');
  await page.goto(`${url}/#/tail`);
  await page.locator('#tail-status', { hasText: /^live/ }).waitFor();
  await app.addTrick(ids[1] as string, 'jump through a hoop');
  await app.registerDog('Ziggy');
  await app.addTrick(ids[2] as string, 'bow');
  await page.locator('#tail-table tbody tr').nth(2).waitFor();
  // Let the rows' highlight fade.
  await page.waitForTimeout(1600);
  await shoot('tail');
} finally {
  await browser.close();
  closing.abort();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await inspector.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
