// The dcb.events idempotency-token example ("Re-submission"), and idempotent retries of an
// append: decisions with ids appended again under the same condition resolve to the original
// position instead of failing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { OrderPlaced, Orders, PlaceOrder, tokenTag } from '../../examples/dcb/idempotency-token.js';
import { Selector, Tagged } from '../../src/dcb/index.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import { given } from '../../src/testing/dcb-specification.js';

const placed = (orderId: string, idempotencyToken: string) =>
  new Tagged(
    [`order:${orderId}`, tokenTag(idempotencyToken)],
    OrderPlaced.create({ orderId, idempotencyToken }),
  );

describe('Idempotency token, given/when/then (dcb.events test cases)', () => {
  it('refuses an order with a used idempotency token', async () => {
    await given(placed('o12345', '11111'))
      .when(new PlaceOrder('o54321', '11111'))
      .thenThrows('Re-submission');
  });

  it('places an order with a new idempotency token', async () => {
    await given().when(new PlaceOrder('o54321', '22222')).then(placed('o54321', '22222'));
  });
});

describe('Idempotency token through the application on memory', () => {
  it('places an order once per token', async () => {
    await using app = new Orders();
    await app.placeOrder('o1', 't1');
    await assert.rejects(app.placeOrder('o2', 't1'), { message: 'Re-submission' });
    await app.placeOrder('o2', 't2');
  });

  it('resolves a retried append of the same decision ids to the original position', async () => {
    await using app = new Orders();
    const cb = new Selector({ types: [OrderPlaced], tags: [tokenTag('t1')] });
    const id = randomUUID();
    const decision = OrderPlaced.create({ orderId: 'o1', idempotencyToken: 't1' });
    const first = await app.events.append(
      [new Tagged([tokenTag('t1')], decision, { id })],
      cb,
      null,
    );
    // The response was lost, say: the same append again, with the same id and condition.
    const retried = await app.events.append(
      [new Tagged([tokenTag('t1')], decision, { id })],
      cb,
      null,
    );
    assert.equal(retried, first);
    assert.equal((await app.events.read()).events.length, 1);
    // Another decision under the same condition still fails.
    await assert.rejects(
      app.events.append([new Tagged([tokenTag('t1')], decision, { id: randomUUID() })], cb, null),
      IntegrityError,
    );
  });
});
