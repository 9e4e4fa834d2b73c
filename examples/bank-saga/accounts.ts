/**
 * The accounts process application: commands that open accounts, deposit and close them, and
 * a policy that carries out the steps the transfers ask for (debit, credit, refund), recording
 * each outcome as an event of the account, which the transfers follow.
 */
import type { ProcessingEvent } from 'eventsourcing/application';
import type { DomainEventLike } from 'eventsourcing/domain';
import { ProcessApplication } from 'eventsourcing/system';
import { Account, Transfer } from './domain.js';

/** What `getAccount` returns. */
export interface AccountDetails {
  readonly owner: string;
  readonly balance: number;
  readonly isClosed: boolean;
}

/** Bank accounts: follows `Transfers`, and is followed by it (a loop). */
export class Accounts extends ProcessApplication {
  async openAccount(owner: string, deposit = 0): Promise<string> {
    const account = new Account(owner);
    if (deposit > 0) account.deposit(deposit);
    await this.save(account);
    return account.id;
  }

  async deposit(accountId: string, amount: number): Promise<void> {
    const account = await this.repository.get<Account>(accountId);
    account.deposit(amount);
    await this.save(account);
  }

  async closeAccount(accountId: string): Promise<void> {
    const account = await this.repository.get<Account>(accountId);
    account.close();
    await this.save(account);
  }

  async getAccount(accountId: string): Promise<AccountDetails> {
    const { owner, balance, isClosed } = await this.repository.get<Account>(accountId);
    return { owner, balance, isClosed };
  }

  /** Each step a transfer asks for, on the account it names: the outcome is an event. */
  override async policy(domainEvent: DomainEventLike, processingEvent: ProcessingEvent) {
    const transferId = domainEvent.originatorId;
    if (domainEvent instanceof Transfer.Started) {
      const account = await this.repository.get<Account>(domainEvent.fromId);
      account.debitForTransfer(transferId, domainEvent.amount);
      processingEvent.collectEvents(account);
    } else if (domainEvent instanceof Transfer.CreditRequested) {
      const account = await this.repository.get<Account>(domainEvent.accountId);
      account.creditForTransfer(transferId, domainEvent.amount);
      processingEvent.collectEvents(account);
    } else if (domainEvent instanceof Transfer.RefundRequested) {
      const account = await this.repository.get<Account>(domainEvent.accountId);
      account.refund(transferId, domainEvent.amount);
      processingEvent.collectEvents(account);
    }
  }
}
