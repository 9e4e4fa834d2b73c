// DCBApplication (persistence chosen by the environment, do(slice), close) and
// DCBApplicationSubscription (tagged decisions with tracking, for projections).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DCBApplication,
  DCBApplicationSubscription,
  Decision,
  Selector,
  Slice,
  Tagged,
} from '../../src/dcb/index.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import { SQLiteDCBRecorder } from '../../src/sqlite/sqlite-dcb-recorder.js';
import { tempDbPath } from '../sqlite/helpers.js';

class Noted extends Decision {
  declare readonly text: string;
}
class Other extends Decision {}

class Note extends Slice {
  reads = 0;
  constructor(readonly text: string) {
    super();
  }
  override get cb(): Selector {
    return new Selector({ tags: ['notes'] });
  }
  override execute(): void {
    this.triggerEvent(Noted, { text: this.text }, { tags: ['notes'] });
  }
}

class Notebook extends DCBApplication {}

describe('DCBApplication', () => {
  it('is named after its class, or the name given', async () => {
    await using a = new Notebook();
    await using b = new DCBApplication({ name: 'Named' });
    await using c = new DCBApplication();
    assert.deepEqual([a.name, b.name, c.name], ['Notebook', 'Named', 'DCBApplication']);
  });

  it('takes its recorder from the persistence module the environment names', async () => {
    const path = tempDbPath('app');
    {
      await using app = new Notebook({
        env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: path },
      });
      assert.ok(app.recorder instanceof SQLiteDCBRecorder);
      await app.do(new Note('kept'));
    }
    await using again = new Notebook({
      env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: path },
    });
    const { events } = await again.events.read();
    assert.deepEqual(
      events.map((t) => (t.decision as Noted).text),
      ['kept'],
    );
  });

  it('saves what a slice decided, without reading first when it applies nothing', async () => {
    await using app = new Notebook();
    const slice = await app.do(new Note('a'));
    assert.equal(slice.lastKnownPosition, 1);
    assert.equal(slice.newDecisions.length, 0);
    // No @event methods: nothing read, so its condition is that its boundary is still empty.
    await assert.rejects(app.do(new Note('b')), IntegrityError);
    const { events } = await app.events.read();
    assert.equal(events.length, 1);
  });

  it('refuses something that is not a slice, saying what to use instead', async () => {
    await using app = new Notebook();
    await assert.rejects(app.do({} as Slice), /do\(\) takes a Slice/);
  });

  it('closes more than once without error', async () => {
    const app = new Notebook();
    await app.close();
    await app.close();
  });
});

describe('DCBApplicationSubscription', () => {
  it('yields tagged decisions after a position with tracking, filtered by topics', async () => {
    await using app = new Notebook();
    await app.events.append([new Tagged(['notes'], Noted.create({ text: '1' }))]);
    await app.events.append([new Tagged([], Other.create({}))]);
    await app.events.append([new Tagged(['notes'], Noted.create({ text: '2' }))]);
    await using all = new DCBApplicationSubscription(app, { gt: 1 });
    const seen: Array<[string, number, string]> = [];
    for await (const [tagged, tracking] of all) {
      seen.push([
        tagged.decision.constructor.name,
        tracking.notificationId,
        tracking.applicationName,
      ]);
      if (tracking.notificationId === 3) break;
    }
    assert.deepEqual(seen, [
      ['Other', 2, 'Notebook'],
      ['Noted', 3, 'Notebook'],
    ]);
    await using noted = app.subscribe({ topics: ['Noted'] });
    const texts: string[] = [];
    for await (const [tagged] of noted) {
      texts.push((tagged.decision as Noted).text);
      if (texts.length === 2) break;
    }
    assert.deepEqual(texts, ['1', '2']);
  });

  it('waits for decisions appended later, and ends when stopped', async () => {
    await using app = new Notebook();
    const subscription = app.subscribe();
    const received = (async () => {
      const got: number[] = [];
      for await (const [, tracking] of subscription) got.push(tracking.notificationId);
      return got;
    })();
    await app.do(new Note('late'));
    await new Promise((r) => setTimeout(r, 50));
    subscription.stop();
    assert.deepEqual(await received, [1]);
  });
});
