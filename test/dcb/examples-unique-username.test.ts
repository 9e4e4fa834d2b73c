// The dcb.events unique-username example: claim, re-claim after the account is closed, a
// changed username frees the old one; given/when/then and through the application on memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccountClosed,
  AccountRegistered,
  Accounts,
  RegisterAccount,
  UsernameChanged,
  usernameTag,
} from '../../examples/dcb/unique-username.js';
import { Tagged } from '../../src/dcb/index.js';
import { given } from '../../src/testing/dcb-specification.js';

const registered = (username: string) =>
  new Tagged([usernameTag(username)], AccountRegistered.create({ username }));

describe('Unique username, given/when/then (dcb.events test cases)', () => {
  it('refuses to register an account with a claimed username', async () => {
    await given(registered('u1'))
      .when(new RegisterAccount('u1'))
      .thenThrows('Username "u1" is claimed');
  });

  it('registers an account with an unused username', async () => {
    await given().when(new RegisterAccount('u1')).then(registered('u1'));
  });

  it('registers the username of a closed account', async () => {
    await given(
      registered('u1'),
      new Tagged([usernameTag('u1')], AccountClosed.create({ username: 'u1' })),
    )
      .when(new RegisterAccount('u1'))
      .then(registered('u1'));
  });

  it('registers a username its owner changed away from', async () => {
    await given(
      registered('u1'),
      new Tagged(
        [usernameTag('u1'), usernameTag('u1changed')],
        UsernameChanged.create({ oldUsername: 'u1', newUsername: 'u1changed' }),
      ),
    )
      .when(new RegisterAccount('u1'))
      .then(registered('u1'));
  });

  it('refuses to register the username another account changed to', async () => {
    await given(
      new Tagged(
        [usernameTag('u0'), usernameTag('u1')],
        UsernameChanged.create({ oldUsername: 'u0', newUsername: 'u1' }),
      ),
    )
      .when(new RegisterAccount('u1'))
      .thenThrows('Username "u1" is claimed');
  });
});

describe('Unique username through the application on memory', () => {
  it('claims, frees on close, and frees the old name on a change', async () => {
    await using app = new Accounts();
    await app.registerAccount('u1');
    await assert.rejects(app.registerAccount('u1'), { message: 'Username "u1" is claimed' });
    await app.closeAccount('u1');
    await app.registerAccount('u1');
    await app.registerAccount('u2');
    await assert.rejects(app.changeUsername('u1', 'u2'), { message: 'Username "u2" is claimed' });
    await app.changeUsername('u1', 'u3');
    await assert.rejects(app.registerAccount('u3'), { message: 'Username "u3" is claimed' });
    await app.registerAccount('u1');
  });
});
