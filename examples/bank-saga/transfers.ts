/**
 * The transfers process application: the saga. `transferFunds` starts a transfer; its policy
 * moves each transfer on when the accounts record the outcome of a step: debited → ask for the
 * credit; credited → completed; debit refused → failed; credit refused → ask for a refund (the
 * compensation); refunded → cancelled.
 */
import type { ProcessingEvent } from 'eventsourcing/application';
import type { DomainEventLike } from 'eventsourcing/domain';
import { ProcessApplication } from 'eventsourcing/system';
import { Account, Transfer, type TransferStatus } from './domain.js';

/** What `getTransfer` returns. */
export interface TransferDetails {
  readonly status: TransferStatus;
  readonly reason: string | null;
}

/** Transfers between accounts: follows `Accounts`, and is followed by it. */
export class Transfers extends ProcessApplication {
  /** Starts a transfer; the system carries it out. Resolves to the transfer's id. */
  async transferFunds(fromId: string, toId: string, amount: number): Promise<string> {
    if (!Number.isInteger(amount) || amount <= 0) {
      throw new RangeError(
        `A transfer's amount is a positive whole number of cents, not ${amount}`,
      );
    }
    const transfer = new Transfer(fromId, toId, amount);
    await this.save(transfer);
    return transfer.id;
  }

  async getTransfer(transferId: string): Promise<TransferDetails> {
    const { status, reason } = await this.repository.get<Transfer>(transferId);
    return { status, reason };
  }

  /** The outcome of each step, recorded by an account, moves its transfer on. */
  override async policy(domainEvent: DomainEventLike, processingEvent: ProcessingEvent) {
    const step = domainEvent as DomainEventLike & { transferId?: string; reason?: string };
    // Deposits, openings and closings are no transfer's business.
    if (step.transferId === undefined) return;
    const transfer = await this.repository.get<Transfer>(step.transferId);
    if (domainEvent instanceof Account.Debited) transfer.requestCredit();
    else if (domainEvent instanceof Account.Credited) transfer.complete();
    else if (domainEvent instanceof Account.DebitRefused) transfer.fail(step.reason as string);
    else if (domainEvent instanceof Account.CreditRefused) {
      transfer.requestRefund(step.reason as string);
    } else if (domainEvent instanceof Account.Refunded) transfer.cancel();
    else return;
    processingEvent.collectEvents(transfer);
  }
}
