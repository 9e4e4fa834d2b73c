import type { DecisionClass } from './decision.js';
import { appliersOf } from './internal.js';
import { Perspective } from './perspective.js';

/**
 * A vertical slice (Python's `Slice`): one command or query with its own consistency boundary.
 * Its `@event(SomeDecision)` methods apply the decisions it reads (their parameters name the
 * fields they take), `execute()` decides, with `triggerEvent` or `appendNewDecision`, and
 * `DCBApplication.do(slice)` reads the boundary, executes and saves what was decided, failing
 * if a decision the slice would have selected was appended in between.
 *
 * @example
 * ```ts
 * import { DCBApplication, Decision, Selector, Slice, event } from 'eventsourcing/dcb';
 *
 * class AccountRegistered extends Decision {
 *   declare readonly username: string;
 * }
 *
 * class RegisterAccount extends Slice {
 *   claimed = false;
 *   constructor(readonly username: string) {
 *     super();
 *   }
 *   override get cb() {
 *     return new Selector({ types: [AccountRegistered], tags: [`username:${this.username}`] });
 *   }
 *   @event(AccountRegistered)
 *   accountRegistered(): void {
 *     this.claimed = true;
 *   }
 *   override execute(): void {
 *     if (this.claimed) throw new Error(`Username "${this.username}" is claimed`);
 *     this.triggerEvent(AccountRegistered, { username: this.username }, {
 *       tags: [`username:${this.username}`],
 *     });
 *   }
 * }
 *
 * await using app = new DCBApplication();
 * await app.do(new RegisterAccount('u1'));
 * await app.do(new RegisterAccount('u1')).catch((e: Error) => console.log(e.message));
 * // Username "u1" is claimed
 * ```
 */
export abstract class Slice extends Perspective {
  /** The decision classes this slice's `@event` methods apply (Python's `projected_types`). */
  static get projectedTypes(): DecisionClass[] {
    return [...appliersOf(this).keys()] as DecisionClass[];
  }

  /** Whether `DCBApplication.do` reads the boundary first: when the slice applies decisions. */
  static get doProjection(): boolean {
    return appliersOf(this).size > 0;
  }

  /** Decides: checks the rules against what was applied, then triggers new decisions. */
  execute(): void | Promise<void> {}
}
