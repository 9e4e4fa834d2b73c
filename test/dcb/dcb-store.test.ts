// DCBMapper (the library's transcoder, compressor and cipher), DCBEventStore (boundaries as
// queries, conditions, heads) and DCBRepository (get, getMany, advance, save).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregateNotFoundError } from '../../src/application/errors.js';
import {
  DCBApplication,
  DCBEventStore,
  DCBMapper,
  Decision,
  EnduringObject,
  event,
  InitialDecision,
  Selector,
  Tagged,
  toQuery,
} from '../../src/dcb/index.js';
import { MemoryFactory } from '../../src/memory/memory-factory.js';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import { IntegrityError, MapperDeserialisationError } from '../../src/persistence/errors.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';
import { Environment } from '../../src/utils/environment.js';

class ItemAdded extends Decision {
  declare readonly sku: string;
  declare readonly at: Date;
}
class Priced extends Decision {
  static classVersion = 2;
  static upcastV1V2(state: Record<string, unknown>): void {
    state.currency = 'EUR';
  }
  declare readonly amount: number;
  declare readonly currency: string;
}
class CartOpened extends InitialDecision {
  declare readonly cartId: string;
  declare readonly owner: string;
}

@event(CartOpened)
class Cart extends EnduringObject {
  items: string[] = [];
  constructor(readonly owner: string) {
    super();
  }
  @event(ItemAdded)
  addItem(sku: string, at: Date): void {
    this.items.push(`${sku}@${at.toISOString()}`);
  }
}

const at = new Date('2025-01-02T03:04:05.678Z');

function store(): DCBEventStore {
  const factory = new MemoryFactory(new Environment('', {}));
  return new DCBEventStore(
    new DCBMapper({ transcoder: new JSONTranscoder() }),
    factory.dcbRecorder(),
  );
}

describe('DCBMapper', () => {
  it('writes the class topic as type, the tags, and reads the decision back equal', () => {
    const mapper = new DCBMapper({ transcoder: new JSONTranscoder() });
    const event = mapper.toDCBEvent(new Tagged(['cart:1'], ItemAdded.create({ sku: 'x', at })));
    assert.equal(event.type, 'ItemAdded');
    assert.deepEqual(event.tags, ['cart:1']);
    const back = mapper.toTagged(event);
    assert.ok(back.decision instanceof ItemAdded);
    assert.deepEqual(back.decision, ItemAdded.create({ sku: 'x', at }));
    assert.ok(Object.isFrozen(back.decision));
  });

  it("stores an initial decision's originatorTopic as Python's originator_topic", () => {
    const mapper = new DCBMapper({ transcoder: new JSONTranscoder() });
    const cart = new Cart('ann');
    const event = mapper.toDCBEvent(cart.newDecisions[0] as Tagged);
    const state = new JSONTranscoder().decode(event.data) as Record<string, unknown>;
    assert.equal(state.originator_topic, 'Cart');
    assert.equal(state.cartId, cart.id);
    assert.equal((mapper.toTagged(event).decision as CartOpened).originatorTopic, 'Cart');
  });

  it('compresses and encrypts when the environment says so, as for aggregate events', async () => {
    const key = AESCipher.createKey(16);
    await using app = new DCBApplication({ env: { COMPRESSOR_TOPIC: 'zlib', CIPHER_KEY: key } });
    assert.ok(app.mapper.cipher !== null && app.mapper.compressor !== null);
    const cart = new Cart('ann');
    await app.repository.save(cart);
    const { events } = await app.recorder.read();
    const bytes = Buffer.from(events[0]?.event.data ?? []).toString('latin1');
    assert.ok(!bytes.includes('ann'));
    assert.equal((await app.repository.get<Cart>(cart.id)).owner, 'ann');
  });

  it('upcasts the fields of an older class version', () => {
    const transcoder = new JSONTranscoder();
    const mapper = new DCBMapper({ transcoder });
    new Selector({ types: [Priced] }); // naming a class in a selector registers its topic
    const old = { type: 'Priced', tags: [], data: transcoder.encode({ amount: 5 }) };
    assert.deepEqual({ ...mapper.toTagged(old).decision }, { amount: 5, currency: 'EUR' });
    const written = mapper.toDCBEvent(
      new Tagged([], Priced.create({ amount: 1, currency: 'GBP' })),
    );
    assert.equal((transcoder.decode(written.data) as { class_version: number }).class_version, 2);
  });

  it('names the event it cannot read', () => {
    const mapper = new DCBMapper({ transcoder: new JSONTranscoder() });
    assert.throws(
      () => mapper.toTagged({ type: 'NoSuchDecision', tags: ['t'], data: new Uint8Array() }),
      (e: Error) =>
        e instanceof MapperDeserialisationError && /type 'NoSuchDecision'/.test(e.message),
    );
  });
});

describe('DCBEventStore', () => {
  it('turns a boundary into a query: one item per selector, decision classes as topics', () => {
    assert.deepEqual(toQuery([new Selector({ types: [ItemAdded], tags: ['a'] }), new Selector()]), {
      items: [
        { types: ['ItemAdded'], tags: ['a'] },
        { types: [], tags: [] },
      ],
    });
    assert.deepEqual(toQuery(null), { items: [] });
  });

  it('appends nothing for no decisions and resolves to 0', async () => {
    assert.equal(await store().append([], new Selector(), 5), 0);
  });

  it('appends unconditionally without boundary and position, and conditionally with them', async () => {
    const s = store();
    const a = new Tagged(['a'], ItemAdded.create({ sku: '1', at }));
    assert.equal(await s.append([a]), 1);
    assert.equal(await s.append([a]), 2);
    await assert.rejects(s.append([a], new Selector({ tags: ['a'] }), 1), IntegrityError);
    assert.equal(await s.append([a], new Selector({ tags: ['b'] }), 1), 3);
    await assert.rejects(s.append([a], null, 2), IntegrityError); // empty boundary: anything
    assert.equal(await s.append([a], new Selector({ tags: ['a'] }), 3), 4);
  });

  it('reads what a boundary selects with the head to append after, backwards newest first', async () => {
    const s = store();
    for (const sku of ['1', '2', '3']) {
      await s.append([new Tagged(['x'], ItemAdded.create({ sku, at }))]);
      await s.append([new Tagged(['y'], ItemAdded.create({ sku, at }))]);
    }
    const forwards = await s.read(new Selector({ tags: ['x'] }));
    assert.deepEqual(
      forwards.events.map((t) => (t.decision as ItemAdded).sku),
      ['1', '2', '3'],
    );
    assert.equal(forwards.head, 6);
    const last = await s.read(new Selector({ tags: ['x'] }), { backwards: true, limit: 2 });
    assert.deepEqual(
      last.events.map((t) => (t.decision as ItemAdded).sku),
      ['3', '2'],
    );
    assert.equal(last.head, 5); // the newest returned, not the oldest
    const after = await s.read(new Selector({ tags: ['x'] }), { after: 3 });
    assert.deepEqual(
      after.events.map((t) => (t.decision as ItemAdded).sku),
      ['3'],
    );
  });
});

describe('DCBRepository', () => {
  it('gets an unknown id as an AggregateNotFoundError naming it', async () => {
    await using app = new DCBApplication();
    await assert.rejects(
      app.repository.get('cart-nope'),
      (e: Error) => e instanceof AggregateNotFoundError && /'cart-nope'/.test(e.message),
    );
  });

  it('gets many objects in one read, null for unknown ids, in the order asked', async () => {
    await using app = new DCBApplication();
    const a = new Cart('ann');
    const b = new Cart('bob');
    a.addItem('x', at);
    await app.repository.save(a);
    await app.repository.save(b);
    const [gotB, none, gotA] = await app.repository.getMany(b.id, 'cart-none', a.id);
    assert.equal((gotB as Cart).owner, 'bob');
    assert.equal(none, null);
    assert.deepEqual((gotA as Cart).items, [`x@${at.toISOString()}`]);
    assert.equal(gotA?.lastKnownPosition, 3);
  });

  it('saves after the last known position: a concurrent change fails the save and keeps the decisions', async () => {
    await using app = new DCBApplication();
    const cart = new Cart('ann');
    await app.repository.save(cart);
    const one = await app.repository.get<Cart>(cart.id);
    const two = await app.repository.get<Cart>(cart.id);
    one.addItem('a', at);
    two.addItem('b', at);
    assert.equal(await app.repository.save(one), 2);
    assert.equal(one.lastKnownPosition, 2);
    await assert.rejects(app.repository.save(two), IntegrityError);
    assert.equal(two.newDecisions.length, 1);
    await app.repository.advance(two); // reads the other item: applied after its own
    assert.deepEqual(two.items, [`b@${at.toISOString()}`, `a@${at.toISOString()}`]);
  });

  it('advances a perspective with what was appended since it was read', async () => {
    await using app = new DCBApplication();
    const cart = new Cart('ann');
    await app.repository.save(cart);
    const copy = await app.repository.get<Cart>(cart.id);
    cart.addItem('z', at);
    await app.repository.save(cart);
    await app.repository.advance(copy);
    assert.deepEqual(copy.items, [`z@${at.toISOString()}`]);
    assert.equal(copy.lastKnownPosition, 2);
  });
});
