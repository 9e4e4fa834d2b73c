// The dcb.events unique-username example: a username is claimed by registering an account with
// it, freed when the account is closed or when its owner changes to another username. Every
// decision about a username is tagged with it, so checking and claiming it is one decision.
import { DCBApplication, Decision, event, Selector, Slice } from '../../src/dcb/index.js';

/** An account was registered with a username. */
export class AccountRegistered extends Decision {
  declare readonly username: string;
}

/** An account was closed, freeing its username. */
export class AccountClosed extends Decision {
  declare readonly username: string;
}

/** An account's username was changed (tagged with both names). */
export class UsernameChanged extends Decision {
  declare readonly oldUsername: string;
  declare readonly newUsername: string;
}

/** The tag of a username's decisions. */
export const usernameTag = (username: string): string => `username:${username}`;

/** Whether a username is claimed, from the decisions tagged with it. */
abstract class UsernameSlice extends Slice {
  protected claimed = false;

  constructor(readonly username: string) {
    super();
  }

  override get cb(): Selector {
    return new Selector({
      types: [AccountRegistered, AccountClosed, UsernameChanged],
      tags: [usernameTag(this.username)],
    });
  }

  @event(AccountRegistered)
  accountRegistered(): void {
    this.claimed = true;
  }

  @event(AccountClosed)
  accountClosed(): void {
    this.claimed = false;
  }

  @event(UsernameChanged)
  usernameChanged(newUsername: string): void {
    this.claimed = newUsername === this.username;
  }
}

/** Registers an account, unless its username is claimed. */
export class RegisterAccount extends UsernameSlice {
  override execute(): void {
    if (this.claimed) throw new Error(`Username "${this.username}" is claimed`);
    this.triggerEvent(
      AccountRegistered,
      { username: this.username },
      {
        tags: [usernameTag(this.username)],
      },
    );
  }
}

/** Closes the account with a username, freeing it. */
export class CloseAccount extends UsernameSlice {
  override execute(): void {
    if (!this.claimed) throw new Error(`No account has the username "${this.username}"`);
    this.triggerEvent(
      AccountClosed,
      { username: this.username },
      {
        tags: [usernameTag(this.username)],
      },
    );
  }
}

/** Changes an account's username, unless the new one is claimed. */
export class ChangeUsername extends Slice {
  private oldClaimed = false;
  private newClaimed = false;

  constructor(
    readonly oldUsername: string,
    readonly newUsername: string,
  ) {
    super();
  }

  override get cb(): Selector[] {
    const types = [AccountRegistered, AccountClosed, UsernameChanged];
    return [
      new Selector({ types, tags: [usernameTag(this.oldUsername)] }),
      new Selector({ types, tags: [usernameTag(this.newUsername)] }),
    ];
  }

  // One decision can carry both names (a change between them), hence the checks of each name.
  @event(AccountRegistered)
  accountRegistered(username: string): void {
    this.claim(username, true);
  }

  @event(AccountClosed)
  accountClosed(username: string): void {
    this.claim(username, false);
  }

  @event(UsernameChanged)
  usernameChanged(oldUsername: string, newUsername: string): void {
    this.claim(oldUsername, false);
    this.claim(newUsername, true);
  }

  private claim(username: string, claimed: boolean): void {
    if (username === this.oldUsername) this.oldClaimed = claimed;
    if (username === this.newUsername) this.newClaimed = claimed;
  }

  override execute(): void {
    if (!this.oldClaimed) throw new Error(`No account has the username "${this.oldUsername}"`);
    if (this.newClaimed) throw new Error(`Username "${this.newUsername}" is claimed`);
    this.triggerEvent(
      UsernameChanged,
      { oldUsername: this.oldUsername, newUsername: this.newUsername },
      { tags: [usernameTag(this.oldUsername), usernameTag(this.newUsername)] },
    );
  }
}

/** The accounts application: each command runs its slice. */
export class Accounts extends DCBApplication {
  /** Registers an account with a username. */
  async registerAccount(username: string): Promise<void> {
    await this.do(new RegisterAccount(username));
  }

  /** Closes the account with a username. */
  async closeAccount(username: string): Promise<void> {
    await this.do(new CloseAccount(username));
  }

  /** Changes an account's username. */
  async changeUsername(oldUsername: string, newUsername: string): Promise<void> {
    await this.do(new ChangeUsername(oldUsername, newUsername));
  }
}
