// The dcb.events invoice-number example: gap-free numbers, the next read backwards with a limit
// of 1; given/when/then and through the application on memory (a race for a number fails one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateInvoice, InvoiceCreated, Invoicing } from '../../examples/dcb/invoice-number.js';
import { Tagged } from '../../src/dcb/index.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import { given } from '../../src/testing/dcb-specification.js';

const created = (invoiceNumber: number, invoiceData: Record<string, unknown>) =>
  new Tagged([`invoice:${invoiceNumber}`], InvoiceCreated.create({ invoiceNumber, invoiceData }));

describe('Invoice number, given/when/then (dcb.events test cases)', () => {
  it('creates the first invoice with number 1', async () => {
    await given()
      .when(new CreateInvoice({ foo: 'bar' }))
      .then(created(1, { foo: 'bar' }));
  });

  it('creates the second invoice with number 2', async () => {
    await given(created(1, { foo: 'bar' }))
      .when(new CreateInvoice({ bar: 'baz' }))
      .then(created(2, { bar: 'baz' }));
  });
});

describe('Invoice number through the application on memory', () => {
  it('numbers invoices 1, 2, 3 reading only the newest invoice', async () => {
    await using app = new Invoicing();
    assert.deepEqual(
      [await app.createInvoice({ a: 1 }), await app.createInvoice({ b: 2 })],
      [1, 2],
    );
    const slice = await app.repository.advance(new CreateInvoice({}), {
      backwards: true,
      limit: 1,
    });
    assert.equal(slice.nextInvoiceNumber, 3);
    assert.equal(slice.lastKnownPosition, 2);
    assert.equal(await app.createInvoice({ c: 3 }), 3);
  });

  it('fails the second of two invoices that read the same last number', async () => {
    await using app = new Invoicing();
    await app.createInvoice({});
    const first = await app.repository.advance(new CreateInvoice({}), {
      backwards: true,
      limit: 1,
    });
    const second = await app.repository.advance(new CreateInvoice({}), {
      backwards: true,
      limit: 1,
    });
    first.execute();
    second.execute();
    await app.repository.save(first);
    await assert.rejects(app.repository.save(second), IntegrityError);
    const numbers = (await app.events.read()).events.map(
      (t) => (t.decision as InvoiceCreated).invoiceNumber,
    );
    assert.deepEqual(numbers, [1, 2]);
  });
});
