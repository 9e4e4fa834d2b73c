// The dcb.events idempotency example: a client sends a random token with each command, and an
// order placed with a token already used is a re-submission. The order decision is tagged with
// the token, so checking and using it is one decision.
import { DCBApplication, Decision, event, Selector, Slice } from '../../src/dcb/index.js';

/** An order was placed (tagged with its id and the client's idempotency token). */
export class OrderPlaced extends Decision {
  declare readonly orderId: string;
  declare readonly idempotencyToken: string;
}

/** The tag of a token's decisions. */
export const tokenTag = (token: string): string => `idempotency:${token}`;

/** Places an order, unless its idempotency token was used. */
export class PlaceOrder extends Slice {
  private tokenUsed = false;

  constructor(
    readonly orderId: string,
    readonly idempotencyToken: string,
  ) {
    super();
  }

  override get cb(): Selector {
    return new Selector({ types: [OrderPlaced], tags: [tokenTag(this.idempotencyToken)] });
  }

  @event(OrderPlaced)
  orderPlaced(): void {
    this.tokenUsed = true;
  }

  override execute(): void {
    if (this.tokenUsed) throw new Error('Re-submission');
    const { orderId, idempotencyToken } = this;
    this.triggerEvent(
      OrderPlaced,
      { orderId, idempotencyToken },
      {
        tags: [`order:${orderId}`, tokenTag(idempotencyToken)],
      },
    );
  }
}

/** The orders application. */
export class Orders extends DCBApplication {
  /** Places an order with the client's idempotency token. */
  async placeOrder(orderId: string, idempotencyToken: string): Promise<void> {
    await this.do(new PlaceOrder(orderId, idempotencyToken));
  }
}
