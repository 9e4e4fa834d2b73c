import '../register-persistence-modules.js';
import { applicationName } from '../application/application-name.js';
import type { DCBRecorder } from '../persistence/dcb-recorder.js';
import type { ErrorHook } from '../persistence/error-reporter.js';
import { InfrastructureFactory } from '../persistence/infrastructure-factory.js';
import { JSONTranscoder } from '../persistence/json-transcoder.js';
import type { Transcoder } from '../persistence/transcoder.js';
import { Environment, type EnvType } from '../utils/environment.js';
import {
  DCBApplicationSubscription,
  type DCBApplicationSubscriptionOptions,
} from './dcb-application-subscription.js';
import { DCBEventStore } from './dcb-event-store.js';
import { DCBMapper } from './dcb-mapper.js';
import { DCBRepository } from './dcb-repository.js';
import { Slice } from './slice.js';

/** Options of the `DCBApplication` constructor (as `Application`'s). */
export interface DCBApplicationOptions {
  /** The application's name, instead of the class's static `name` or class name. */
  name?: string;
  /** Environment variables; they take precedence over `process.env` and the class's static `env`. */
  env?: EnvType;
  /** The infrastructure factory to use instead of the one `PERSISTENCE_MODULE` selects. */
  factory?: InfrastructureFactory | ((env: Environment) => InfrastructureFactory);
  /** Receives errors of the persistence module's background work (`factory.onError`). */
  onError?: ErrorHook;
}

/**
 * An application of dynamic consistency boundaries (Python's `DCBApplication`): a DCB recorder
 * chosen by the environment as for `Application` (`PERSISTENCE_MODULE=memory|sqlite|postgres`,
 * `SQLITE_DBNAME`, `POSTGRES_*`, scoped by the `APPNAME_` prefix; tables prefixed by the name
 * lower-cased), decisions mapped with the same transcoder, compressor (`COMPRESSOR_TOPIC`) and
 * cipher (`CIPHER_KEY`) as aggregate events, a `DCBEventStore` and a `DCBRepository`.
 *
 * Construction is synchronous and does no I/O. `close()` (or `await using`) closes the recorder.
 */
export class DCBApplication implements AsyncDisposable {
  /** Default environment variables of the application class (lowest precedence). */
  static env: EnvType = {};

  /** The application's name (the `name` option, else the class's static `name`). */
  readonly name: string;
  /** The environment the application was configured with, scoped by its name. */
  readonly env: Environment;
  /** Makes the recorder, transcoder, compressor and cipher. */
  readonly factory: InfrastructureFactory;
  /** Stores the application's DCB events. */
  readonly recorder: DCBRecorder;
  /** Converts tagged decisions to DCB events and back. */
  readonly mapper: DCBMapper;
  /** The store of tagged decisions. */
  readonly events: DCBEventStore;
  /** Reads and saves perspectives. */
  readonly repository: DCBRepository;

  private closed = false;

  constructor(options: DCBApplicationOptions = {}) {
    const cls = this.constructor as typeof DCBApplication;
    // The base class itself has no subclass name to check (and a minifier may rename it).
    this.name =
      cls === DCBApplication && options.name === undefined
        ? 'DCBApplication'
        : applicationName(cls, options.name);
    this.env = new Environment(this.name, { ...cls.env, ...process.env, ...(options.env ?? {}) });
    this.factory =
      typeof options.factory === 'function'
        ? options.factory(this.env)
        : (options.factory ?? InfrastructureFactory.construct(this.env));
    if (options.onError !== undefined) this.factory.onError = options.onError;
    this.recorder = this.factory.dcbRecorder();
    this.mapper = new DCBMapper({
      transcoder: this.constructTranscoder(),
      compressor: this.factory.compressor(),
      cipher: this.factory.cipher(),
    });
    this.events = new DCBEventStore(this.mapper, this.recorder);
    this.repository = new DCBRepository(this.events);
  }

  /** The transcoder (the factory's), with the application's transcodings registered. */
  protected constructTranscoder(): Transcoder {
    const transcoder = this.factory.transcoder();
    if (transcoder instanceof JSONTranscoder) this.registerTranscodings(transcoder);
    return transcoder;
  }

  /** Override to register transcodings for your own value types. */
  protected registerTranscodings(_transcoder: JSONTranscoder): void {}

  /**
   * Runs a slice: reads its consistency boundary (when it applies any decisions), executes it,
   * and saves its new decisions on the condition that nothing its boundary selects was
   * appended in between (else an `IntegrityError`: run a new slice to decide again). Resolves
   * to the slice, whose `lastKnownPosition` is then the saved position.
   */
  async do<S extends Slice>(slice: S): Promise<S> {
    if (!(slice instanceof Slice)) {
      throw new TypeError(
        `do() takes a Slice (a class extending Slice), got ${String(slice)}: enduring objects and groups are saved with repository.save().`,
      );
    }
    if ((slice.constructor as typeof Slice).doProjection) await this.repository.advance(slice);
    await slice.execute();
    if (slice.newDecisions.length > 0) await this.repository.save(slice);
    return slice;
  }

  /**
   * The application's tagged decisions after position `gt`, each with its tracking, waiting for
   * new ones until stopped (see `DCBApplicationSubscription`).
   */
  subscribe(options: DCBApplicationSubscriptionOptions = {}): DCBApplicationSubscription {
    return new DCBApplicationSubscription(this, options);
  }

  /** Closes the recorder; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.factory.close();
  }

  /** Closes the application at the end of an `await using` block, as `close()` does. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
