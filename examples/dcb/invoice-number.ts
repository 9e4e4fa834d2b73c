// The dcb.events invoice-number example: invoice numbers form an unbroken sequence. The next
// number is the last InvoiceCreated's number + 1, read backwards with a limit of 1 (one event,
// however many invoices there are); the append fails if another invoice was created since.
import { DCBApplication, Decision, event, Selector, Slice } from '../../src/dcb/index.js';

/** An invoice was created with the next number. */
export class InvoiceCreated extends Decision {
  declare readonly invoiceNumber: number;
  declare readonly invoiceData: Record<string, unknown>;
}

/** Creates an invoice with the number after the last one. */
export class CreateInvoice extends Slice {
  nextInvoiceNumber = 1;

  constructor(readonly invoiceData: Record<string, unknown>) {
    super();
  }

  override get cb(): Selector {
    return new Selector({ types: [InvoiceCreated] });
  }

  @event(InvoiceCreated)
  invoiceCreated(invoiceNumber: number): void {
    this.nextInvoiceNumber = invoiceNumber + 1;
  }

  override execute(): void {
    const invoiceNumber = this.nextInvoiceNumber;
    this.triggerEvent(
      InvoiceCreated,
      { invoiceNumber, invoiceData: this.invoiceData },
      {
        tags: [`invoice:${invoiceNumber}`],
      },
    );
  }
}

/** The invoicing application. */
export class Invoicing extends DCBApplication {
  /** Creates an invoice and resolves to its number. */
  async createInvoice(invoiceData: Record<string, unknown>): Promise<number> {
    const slice = new CreateInvoice(invoiceData);
    // Only the newest invoice matters: read one event, newest first.
    await this.repository.advance(slice, { backwards: true, limit: 1 });
    const number = slice.nextInvoiceNumber;
    slice.execute(); // applies its own decision too: nextInvoiceNumber moves on
    await this.repository.save(slice);
    return number;
  }
}
