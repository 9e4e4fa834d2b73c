// ApplicationSubscription: an application's events with their tracking, from a position,
// filtered by topics, by iteration or by pages; on memory and SQLite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationSubscription } from '../../src/projection/application-subscription.js';
import type { EnvType } from '../../src/utils/environment.js';
import { tempDbPath } from '../sqlite/helpers.js';
import { ChangedEvent, CreatedEvent, changedTopic, Upstream } from './fixtures/counters.js';

const backends: ReadonlyArray<readonly [string, () => EnvType]> = [
  ['memory', () => ({ PERSISTENCE_MODULE: 'memory' })],
  ['SQLite', () => ({ PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: tempDbPath('subscription') })],
];

for (const [backend, env] of backends) {
  describe(`ApplicationSubscription on ${backend}`, () => {
    it('yields the events after a position with their tracking, in order', async () => {
      await using app = new Upstream({ env: env() });
      await app.createWith(1);
      await app.createWith(1);
      const seen: Array<[string, number, string]> = [];
      await using subscription = new ApplicationSubscription(app, { gt: 1 });
      for await (const [event, tracking] of subscription) {
        seen.push([event.constructor.name, tracking.notificationId, tracking.applicationName]);
        if (tracking.notificationId === 4) break;
      }
      assert.deepEqual(seen, [
        ['Changed', 2, 'Upstream'],
        ['Created', 3, 'Upstream'],
        ['Changed', 4, 'Upstream'],
      ]);
    });

    it('yields only the events with its topics, and waits for new ones', async () => {
      await using app = new Upstream({ env: env() });
      await app.createWith(1);
      const subscription = new ApplicationSubscription(app, { topics: [changedTopic] });
      const iterator = subscription[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.ok(first.value?.[0] instanceof ChangedEvent);
      assert.equal(first.value?.[1].notificationId, 2);
      const pending = iterator.next();
      await app.createWith(2);
      assert.equal((await pending).value?.[1].notificationId, 4);
      assert.equal((await iterator.next()).value?.[1].notificationId, 5);
      subscription.stop();
      assert.equal((await iterator.next()).done, true);
    });

    it('reads pages whose tracking passes over filtered-out events', async () => {
      await using app = new Upstream({ env: env() });
      await app.createWith(2);
      await app.createWith(0);
      await using subscription = new ApplicationSubscription(app, { topics: [changedTopic] });
      const page = await subscription.nextPage();
      assert.deepEqual(
        page?.items.map(([, tracking]) => tracking.notificationId),
        [2, 3],
      );
      assert.deepEqual(page?.tracking, { applicationName: 'Upstream', notificationId: 4 });
    });

    it('ends a page before an event it cannot decode, and meets the error at that event', async () => {
      await using app = new Upstream({ env: env() });
      await app.createWith(0);
      await app.recorder.insertEvents([
        {
          originatorId: crypto.randomUUID(),
          originatorVersion: 1,
          topic: 'projection-tests:NoSuchEvent',
          state: new TextEncoder().encode('{}'),
        },
      ]);
      await app.createWith(0);
      await using subscription = new ApplicationSubscription(app);
      const page = await subscription.nextPage();
      assert.equal(page?.items.length, 1);
      assert.ok(page?.items[0]?.[0] instanceof CreatedEvent);
      assert.equal(page?.tracking.notificationId, 1);
      await assert.rejects(subscription.nextPage(), /NoSuchEvent/);
      await assert.rejects(subscription.nextPage(), /NoSuchEvent/);
    });

    it('yields nothing once its signal has aborted', async () => {
      await using app = new Upstream({ env: env() });
      await app.createWith(0);
      const subscription = new ApplicationSubscription(app, { signal: AbortSignal.abort() });
      for await (const _ of subscription) assert.fail('it yielded');
      assert.equal(await subscription.nextPage(), null);
    });
  });
}
