/**
 * The bank saga example's domain: accounts, and transfers between them. A transfer is a saga:
 * it cannot change two accounts in one transaction (they may be in different databases), so it
 * records each step and the step's outcome: debit the source, credit the destination, and when
 * the credit is refused, refund the source (the compensation).
 */
// biome-ignore-all lint/correctness/noUnusedFunctionParameters: an @event method's parameters are its event's fields, used or not.
import { Aggregate, aggregate, event } from 'eventsourcing/domain';

class Opened extends Aggregate.Created {
  declare readonly owner: string;
}
class Deposited extends Aggregate.Event {
  declare readonly amount: number;
}
class Closed extends Aggregate.Event {}
/** Money left the account for a transfer. */
class Debited extends Aggregate.Event {
  declare readonly transferId: string;
  declare readonly amount: number;
}
/** The account refused a transfer's debit (closed, or not enough money). */
class DebitRefused extends Aggregate.Event {
  declare readonly transferId: string;
  declare readonly reason: string;
}
/** Money arrived in the account from a transfer. */
class Credited extends Aggregate.Event {
  declare readonly transferId: string;
  declare readonly amount: number;
}
/** The account refused a transfer's credit (closed). */
class CreditRefused extends Aggregate.Event {
  declare readonly transferId: string;
  declare readonly reason: string;
}
/** A transfer's debit was given back (the compensation of a refused credit). */
class Refunded extends Aggregate.Event {
  declare readonly transferId: string;
  declare readonly amount: number;
}

/** A bank account. Amounts are whole cents. */
@aggregate(Opened)
export class Account extends Aggregate {
  static topic = 'bank-saga:Account';
  declare static readonly Opened: typeof Opened;
  declare static readonly Deposited: typeof Deposited;
  declare static readonly Closed: typeof Closed;
  declare static readonly Debited: typeof Debited;
  declare static readonly DebitRefused: typeof DebitRefused;
  declare static readonly Credited: typeof Credited;
  declare static readonly CreditRefused: typeof CreditRefused;
  declare static readonly Refunded: typeof Refunded;

  owner: string;
  balance = 0;
  isClosed = false;

  constructor(owner: string) {
    super();
    this.owner = owner;
  }

  @event(Deposited)
  deposit(amount: number): void {
    this.balance += amount;
  }

  @event(Closed)
  close(): void {
    this.isClosed = true;
  }

  /** Debits the account for a transfer, or records why it cannot (an event either way). */
  debitForTransfer(transferId: string, amount: number): void {
    if (this.isClosed) this.refuseDebit(transferId, 'account closed');
    else if (this.balance < amount) this.refuseDebit(transferId, 'insufficient funds');
    else this.debit(transferId, amount);
  }

  /** Credits the account for a transfer, or records why it cannot. */
  creditForTransfer(transferId: string, amount: number): void {
    if (this.isClosed) this.refuseCredit(transferId, 'account closed');
    else this.credit(transferId, amount);
  }

  /** Gives back a transfer's debit: a compensation, which a closed account accepts too. */
  @event(Refunded)
  refund(transferId: string, amount: number): void {
    this.balance += amount;
  }

  @event(Debited)
  private debit(transferId: string, amount: number): void {
    this.balance -= amount;
  }

  @event(DebitRefused)
  private refuseDebit(transferId: string, reason: string): void {}

  @event(Credited)
  private credit(transferId: string, amount: number): void {
    this.balance += amount;
  }

  @event(CreditRefused)
  private refuseCredit(transferId: string, reason: string): void {}
}

/** Where a transfer is: each step's outcome moves it on. */
export type TransferStatus =
  | 'debiting'
  | 'crediting'
  | 'completed'
  | 'refunding'
  | 'failed'
  | 'cancelled';

class Started extends Aggregate.Created {
  declare readonly fromId: string;
  declare readonly toId: string;
  declare readonly amount: number;
}
/** The source was debited: now credit the destination (the step's data is in its event). */
class CreditRequested extends Aggregate.Event {
  declare readonly accountId: string;
  declare readonly amount: number;
}
class Completed extends Aggregate.Event {}
/** The debit was refused: nothing moved. */
class Failed extends Aggregate.Event {
  declare readonly reason: string;
}
/** The credit was refused: give the debit back to the source. */
class RefundRequested extends Aggregate.Event {
  declare readonly accountId: string;
  declare readonly amount: number;
  declare readonly reason: string;
}
/** The debit was given back: nothing moved in the end. */
class Cancelled extends Aggregate.Event {}

/** A transfer of money between two accounts: the saga's state. */
@aggregate(Started)
export class Transfer extends Aggregate {
  static topic = 'bank-saga:Transfer';
  declare static readonly Started: typeof Started;
  declare static readonly CreditRequested: typeof CreditRequested;
  declare static readonly Completed: typeof Completed;
  declare static readonly Failed: typeof Failed;
  declare static readonly RefundRequested: typeof RefundRequested;
  declare static readonly Cancelled: typeof Cancelled;

  fromId: string;
  toId: string;
  amount: number;
  status: TransferStatus = 'debiting';
  reason: string | null = null;

  constructor(fromId: string, toId: string, amount: number) {
    super();
    this.fromId = fromId;
    this.toId = toId;
    this.amount = amount;
  }

  /** The source was debited: asks for the credit of the destination. */
  requestCredit(): void {
    this.creditRequested(this.toId, this.amount);
  }

  @event(Completed)
  complete(): void {
    this.status = 'completed';
  }

  @event(Failed)
  fail(reason: string): void {
    this.status = 'failed';
    this.reason = reason;
  }

  /** The destination refused the credit: asks for the refund of the source. */
  requestRefund(reason: string): void {
    this.refundRequested(this.fromId, this.amount, reason);
  }

  @event(Cancelled)
  cancel(): void {
    this.status = 'cancelled';
  }

  @event(CreditRequested)
  private creditRequested(accountId: string, amount: number): void {
    this.status = 'crediting';
  }

  @event(RefundRequested)
  private refundRequested(accountId: string, amount: number, reason: string): void {
    this.status = 'refunding';
    this.reason = reason;
  }
}
