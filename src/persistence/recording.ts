import type { DomainEventLike } from '../domain/protocols.js';
import type { Notification } from './stored-event.js';

/**
 * What `EventStore.put` and `Application.save` return for each event: the domain event and the
 * notification it was recorded as (its stored form plus its position in the application's log).
 */
export class Recording<E extends DomainEventLike = DomainEventLike> {
  /** The domain event that was saved. */
  readonly domainEvent: E;
  /** The stored event with its notification id. */
  readonly notification: Notification;

  constructor(domainEvent: E, notification: Notification) {
    this.domainEvent = domainEvent;
    this.notification = notification;
  }
}
