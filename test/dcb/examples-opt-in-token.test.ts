// The dcb.events opt-in-token example: a sign-up is confirmed once with its OTP within 60
// minutes; given/when/then and through the application on memory (dates survive the store).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfirmSignUp,
  SignUpConfirmed,
  SignUpInitiated,
  SignUps,
  signUpTags,
} from '../../examples/dcb/opt-in-token.js';
import { Tagged } from '../../src/dcb/index.js';
import { given } from '../../src/testing/dcb-specification.js';

const now = new Date('2025-06-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const initiated = (initiatedAt: Date) =>
  new Tagged(
    signUpTags('a@b.c', '111111'),
    SignUpInitiated.create({ emailAddress: 'a@b.c', otp: '111111', name: 'Ann', initiatedAt }),
  );
const confirmed = new Tagged(
  signUpTags('a@b.c', '111111'),
  SignUpConfirmed.create({ emailAddress: 'a@b.c', otp: '111111', name: 'Ann' }),
);

describe('Opt-in token, given/when/then (dcb.events test cases)', () => {
  it('refuses a confirmation without a pending sign-up', async () => {
    await given()
      .when(new ConfirmSignUp('a@b.c', '111111', now))
      .thenThrows('No pending sign-up for this OTP / email address');
  });

  it('refuses an OTP that was already used', async () => {
    await given(initiated(minutesAgo(10)), confirmed)
      .when(new ConfirmSignUp('a@b.c', '111111', now))
      .thenThrows('OTP was already used');
  });

  it('refuses an OTP older than 60 minutes', async () => {
    await given(initiated(minutesAgo(61)))
      .when(new ConfirmSignUp('a@b.c', '111111', now))
      .thenThrows('OTP expired');
  });

  it('confirms a pending sign-up with a valid OTP', async () => {
    await given(initiated(minutesAgo(60)))
      .when(new ConfirmSignUp('a@b.c', '111111', now))
      .then(confirmed);
  });
});

describe('Opt-in token through the application on memory', () => {
  it('confirms once, with the initiation time read back as a Date', async () => {
    await using app = new SignUps();
    await app.initiateSignUp('a@b.c', '111111', 'Ann', minutesAgo(5));
    await assert.rejects(app.confirmSignUp('a@b.c', '222222', now), {
      message: 'No pending sign-up for this OTP / email address',
    });
    await app.confirmSignUp('a@b.c', '111111', now);
    await assert.rejects(app.confirmSignUp('a@b.c', '111111', now), {
      message: 'OTP was already used',
    });
    const [first] = (await app.events.read()).events;
    assert.ok(first?.decision instanceof SignUpInitiated);
    assert.deepEqual(first.decision.initiatedAt, minutesAgo(5));
  });
});
