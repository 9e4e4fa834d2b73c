/**
 * The search index example's domain: notes, written with a title and a body, edited, and
 * discarded. Each event class is written out with its fields, so that the projection that
 * indexes the notes can read them with their types.
 */
import { Aggregate, aggregate, event } from 'eventsourcing/domain';

/** A note was written. */
class Written extends Aggregate.Created {
  declare readonly title: string;
  declare readonly body: string;
}

/** A note's body was replaced. */
class Edited extends Aggregate.Event {
  declare readonly body: string;
}

/** A note was discarded: it is kept in the log, but no longer found by searches. */
class Discarded extends Aggregate.Event {}

/** A note: a title and a body of text. */
@aggregate(Written)
export class Note extends Aggregate {
  /** Names the class in storage (the default would be 'Note'). */
  static topic = 'search-index:Note';
  declare static readonly Written: typeof Written;
  declare static readonly Edited: typeof Edited;
  declare static readonly Discarded: typeof Discarded;

  title: string;
  body: string;
  discarded = false;

  constructor(title: string, body: string) {
    super();
    this.title = title;
    this.body = body;
  }

  @event(Edited)
  edit(body: string): void {
    this.body = body;
  }

  @event(Discarded)
  discard(): void {
    this.discarded = true;
  }
}
