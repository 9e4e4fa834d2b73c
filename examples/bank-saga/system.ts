/**
 * The bank: transfers and accounts in a loop. A transfer started in `Transfers` is followed by
 * `Accounts` (which debits, credits or refunds), whose outcomes are followed by `Transfers`
 * (which moves the transfer on), and so on until the transfer completes, fails or is cancelled.
 */
import { System } from 'eventsourcing/system';
import { Accounts } from './accounts.js';
import { Transfers } from './transfers.js';

/** `[[Transfers, Accounts, Transfers]]`: each follows the other. */
export const system = new System([[Transfers, Accounts, Transfers]]);
