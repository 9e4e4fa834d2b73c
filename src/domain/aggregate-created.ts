import type { Aggregate } from './aggregate.js';
import { AggregateEvent } from './aggregate-event.js';
import { TopicError } from './errors.js';
import { CTOR_PARAMS, runtime } from './internal.js';
import { resolveTopic } from './topics.js';

type AggregateConstructor = new (...args: unknown[]) => Aggregate;

const NO_ARGS: unknown[] = [];

/**
 * The first event of an aggregate. `mutate(null)` constructs the aggregate: it resolves
 * `originatorTopic` to the aggregate class and constructs it with the event's id, version and
 * timestamp. A class decorated with `@aggregate` is constructed with the event's fields as its
 * constructor arguments (the constructor body is how the event is applied); an undecorated class
 * is constructed without arguments and then the event's `apply` sets its state.
 */
export class AggregateCreated extends AggregateEvent {
  /** The topic of the aggregate's class (stored as `originator_topic`). */
  declare readonly originatorTopic: string;

  /** Constructs the aggregate this event creates (the argument is ignored, as in Python). */
  override mutate<A extends Aggregate>(_aggregate: A | null): A {
    const cls = resolveTopic<AggregateConstructor>(this.originatorTopic);
    if (typeof cls !== 'function') {
      throw new TopicError(
        `Topic '${this.originatorTopic}' of ${this.constructor.name} does not name an aggregate ` +
          `class. Register the aggregate class under it with registerTopic().`,
      );
    }
    const params = (cls as unknown as Record<symbol, readonly string[] | undefined>)[CTOR_PARAMS];
    let args = NO_ARGS;
    if (params !== undefined && params.length > 0) {
      const fields = this as unknown as Record<string, unknown>;
      args = new Array(params.length);
      for (let i = 0; i < params.length; i++) {
        const name = params[i] as string;
        args[i] = name === 'id' ? this.originatorId : fields[name];
      }
    }
    const previous = runtime.applying;
    runtime.init = {
      target: cls,
      id: this.originatorId,
      version: this.originatorVersion,
      timestamp: this.timestamp,
    };
    try {
      const aggregate = new cls(...args);
      this.apply(aggregate);
      return aggregate as A;
    } finally {
      runtime.init = null;
      runtime.applying = previous;
    }
  }
}
