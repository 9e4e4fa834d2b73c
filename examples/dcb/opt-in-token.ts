// The dcb.events opt-in-token example: a sign-up is confirmed with the one-time password (OTP)
// sent to the email address, once, within 60 minutes. The decisions tagged with both the email
// address and the OTP replace a read model of pending sign-ups.
import { DCBApplication, Decision, event, Selector, Slice } from '../../src/dcb/index.js';

/** A sign-up was started, and an OTP sent to the email address. */
export class SignUpInitiated extends Decision {
  declare readonly emailAddress: string;
  declare readonly otp: string;
  declare readonly name: string;
  declare readonly initiatedAt: Date;
}

/** A sign-up was confirmed with its OTP. */
export class SignUpConfirmed extends Decision {
  declare readonly emailAddress: string;
  declare readonly otp: string;
  declare readonly name: string;
}

/** How long an OTP is valid. */
export const OTP_LIFETIME_MS = 60 * 60 * 1000;

/** The tags of a sign-up's decisions. */
export const signUpTags = (emailAddress: string, otp: string): string[] => [
  `email:${emailAddress}`,
  `otp:${otp}`,
];

/** Starts a sign-up (the OTP is made by the caller and sent by email). */
export class InitiateSignUp extends Slice {
  constructor(
    readonly emailAddress: string,
    readonly otp: string,
    readonly name: string,
    readonly now: Date = new Date(),
  ) {
    super();
  }

  override get cb(): Selector {
    return new Selector({
      types: [SignUpInitiated],
      tags: signUpTags(this.emailAddress, this.otp),
    });
  }

  override execute(): void {
    const { emailAddress, otp, name } = this;
    this.triggerEvent(
      SignUpInitiated,
      { emailAddress, otp, name, initiatedAt: this.now },
      {
        tags: signUpTags(emailAddress, otp),
      },
    );
  }
}

/** Confirms a sign-up with its OTP: pending, not used, not expired. */
export class ConfirmSignUp extends Slice {
  private pending: { name: string; initiatedAt: Date } | null = null;
  private used = false;

  constructor(
    readonly emailAddress: string,
    readonly otp: string,
    readonly now: Date = new Date(),
  ) {
    super();
  }

  override get cb(): Selector {
    return new Selector({
      types: [SignUpInitiated, SignUpConfirmed],
      tags: signUpTags(this.emailAddress, this.otp),
    });
  }

  @event(SignUpInitiated)
  signUpInitiated(name: string, initiatedAt: Date): void {
    this.pending = { name, initiatedAt };
  }

  @event(SignUpConfirmed)
  signUpConfirmed(): void {
    this.used = true;
  }

  override execute(): void {
    if (this.pending === null) throw new Error('No pending sign-up for this OTP / email address');
    if (this.used) throw new Error('OTP was already used');
    if (this.now.getTime() - this.pending.initiatedAt.getTime() > OTP_LIFETIME_MS) {
      throw new Error('OTP expired');
    }
    const { emailAddress, otp } = this;
    this.triggerEvent(
      SignUpConfirmed,
      { emailAddress, otp, name: this.pending.name },
      {
        tags: signUpTags(emailAddress, otp),
      },
    );
  }
}

/** The sign-up application. */
export class SignUps extends DCBApplication {
  /** Starts a sign-up with an OTP. */
  async initiateSignUp(emailAddress: string, otp: string, name: string, now?: Date): Promise<void> {
    await this.do(new InitiateSignUp(emailAddress, otp, name, now));
  }

  /** Confirms a sign-up with its OTP. */
  async confirmSignUp(emailAddress: string, otp: string, now?: Date): Promise<void> {
    await this.do(new ConfirmSignUp(emailAddress, otp, now));
  }
}
