import { resolveTopic } from '../domain/topics.js';
import { Environment, type EnvType } from '../utils/environment.js';
import { strtobool } from '../utils/strtobool.js';
import { AESCipher } from './aes-cipher.js';
import type { Cipher } from './cipher.js';
import type { Compressor } from './compressor.js';
import type { DCBRecorder } from './dcb-recorder.js';
import type { ErrorHook } from './error-reporter.js';
import { InfrastructureFactoryError } from './errors.js';
import { EventStore } from './event-store.js';
import type { FollowerLock } from './follower-lock.js';
import { JSONTranscoder } from './json-transcoder.js';
import { Mapper, type MapperOptions } from './mapper.js';
import type {
  AggregateRecorder,
  ApplicationRecorder,
  Closable,
  ProcessRecorder,
  TrackingRecorder,
} from './recorders.js';
import type { Transcoder } from './transcoder.js';
import { ZlibCompressor } from './zlib-compressor.js';

/**
 * The recorder types a factory makes (its backend's classes), so that, say,
 * `sqliteFactory.applicationRecorder()` is typed as a `SQLiteApplicationRecorder`.
 */
export interface FactoryRecorders {
  /** What `aggregateRecorder()` makes: events of aggregates, or snapshots. */
  aggregate: AggregateRecorder;
  /** What `applicationRecorder()` makes: events with notification ids. */
  application: ApplicationRecorder;
  /** What `trackingRecorder()` makes: positions in upstream applications. */
  tracking: TrackingRecorder;
  /** What `processRecorder()` makes: events and tracking in one transaction. */
  process: ProcessRecorder;
}

/** A recorder class: a view class given to `trackingRecorder`, or one an environment key names. */
export type RecorderClass<T> = new (...args: never[]) => T;

/** A concrete factory class, as registered with `registerPersistenceModule`. */
export type InfrastructureFactoryClass = new (env: Environment) => InfrastructureFactory;

const registry = new Map<string, InfrastructureFactoryClass>();

/**
 * Makes `name` a value of `PERSISTENCE_MODULE` that `InfrastructureFactory.construct` resolves
 * synchronously. The built-in modules register themselves (`memory`, `popo`,
 * `eventsourcing.popo`, …) when imported; a later registration of a name replaces the earlier.
 */
export function registerPersistenceModule(
  name: string,
  factoryClass: InfrastructureFactoryClass,
): void {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TypeError(
      `A persistence module name must be a non-empty string, got ${JSON.stringify(name)}.`,
    );
  }
  if (
    typeof factoryClass !== 'function' ||
    !(factoryClass.prototype instanceof InfrastructureFactory)
  ) {
    throw new TypeError(
      `Cannot register persistence module '${name}': ${String(factoryClass)} is not a subclass of InfrastructureFactory.`,
    );
  }
  registry.set(name.trim(), factoryClass);
}

const PERSISTENCE_MODULE_KEYS = ['PERSISTENCE_MODULE', 'INFRASTRUCTURE_FACTORY', 'FACTORY_TOPIC'];
const DEFAULT_PERSISTENCE_MODULE = 'memory';

const TRANSCODER_ALIASES = new Set(['JSONTranscoder', 'eventsourcing.persistence:JSONTranscoder']);
const MAPPER_ALIASES = new Set(['Mapper', 'eventsourcing.persistence:Mapper']);
const CIPHER_ALIASES = new Set([
  'AESCipher',
  'eventsourcing.cipher:AESCipher',
  'eventsourcing.cryptography:AESCipher',
]);
const COMPRESSOR_ALIASES = new Set([
  'zlib',
  'ZlibCompressor',
  'eventsourcing.compressor:ZlibCompressor',
]);

function toEnvironment(env: Environment | EnvType | undefined): Environment {
  if (env instanceof Environment) return env;
  if (env === undefined || env === null) return new Environment('', process.env);
  if (typeof env !== 'object') {
    throw new TypeError(`Expected an Environment or a record of variables, got ${typeof env}.`);
  }
  return new Environment('', env);
}

/** The value of the first of `keys` set in `env`, and the (maybe prefixed) key it was found under. */
function lookup(env: Environment, keys: readonly string[]): { key: string; value: string } | null {
  for (const key of keys) {
    for (const scoped of env.createKeys(key)) {
      const value = env.vars[scoped]?.trim();
      if (value) return { key: scoped, value };
    }
  }
  return null;
}

function registered(value: string): InfrastructureFactoryClass | undefined {
  const cls = registry.get(value);
  if (cls !== undefined) return cls;
  // Python's factory topics: 'eventsourcing.sqlite:Factory' names the module 'eventsourcing.sqlite'.
  const colon = value.indexOf(':');
  return colon > 0 ? registry.get(value.slice(0, colon)) : undefined;
}

function knownNames(): string {
  const names = [...registry.keys()].sort();
  return names.length > 0
    ? names.map((n) => `'${n}'`).join(', ')
    : "(none registered: import 'eventsourcing' or 'eventsourcing/application', which register the built-in modules)";
}

/**
 * The package a `PERSISTENCE_MODULE` value names, or `null` when it is not a package specifier.
 * Only package specifiers are imported: a path, a `file:`, `data:` or `node:` URL would run code
 * that an environment variable chose.
 */
function packageOf(specifier: string): string | null {
  const match = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(\/[A-Za-z0-9._~-]+)*$/.exec(
    specifier,
  );
  if (match === null || specifier.includes('..')) return null;
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]) ?? null;
}

function isFactoryClass(value: unknown): value is InfrastructureFactoryClass {
  return typeof value === 'function' && value.prototype instanceof InfrastructureFactory;
}

function factoryFromModule(
  mod: Record<string, unknown>,
  specifier: string,
  exportName: string | null,
  key: string,
): InfrastructureFactoryClass {
  if (exportName !== null) {
    const named = mod[exportName];
    if (isFactoryClass(named)) return named;
    throw new InfrastructureFactoryError(
      `'${specifier}' (from ${key}) has no export '${exportName}' that is a subclass of InfrastructureFactory.`,
    );
  }
  if (isFactoryClass(mod.Factory)) return mod.Factory;
  if (isFactoryClass(mod.default)) return mod.default;
  const found = [...new Set(Object.values(mod).filter(isFactoryClass))];
  if (found.length === 1) return found[0]!;
  throw new InfrastructureFactoryError(
    `Found ${found.length} infrastructure factory classes in '${specifier}' (from ${key}), expected 1. ` +
      `Export the factory as 'Factory' or as the default export, or name it: '${specifier}:ClassName'.`,
  );
}

/**
 * Makes the persistence infrastructure of one application from its environment: the transcoder,
 * mapper, cipher and compressor, the event store, and recorders. `construct(env)` picks the
 * concrete factory named by `PERSISTENCE_MODULE` (legacy `INFRASTRUCTURE_FACTORY`,
 * `FACTORY_TOPIC`; default `memory`). Every recorder a factory makes is closed by its `close()`.
 */
export abstract class InfrastructureFactory<R extends FactoryRecorders = FactoryRecorders>
  implements AsyncDisposable
{
  /** Names the persistence module (or package) whose factory to use. */
  static readonly PERSISTENCE_MODULE = 'PERSISTENCE_MODULE';
  /** Names a registered transcoder class (default `JSONTranscoder`). */
  static readonly TRANSCODER_TOPIC = 'TRANSCODER_TOPIC';
  /** Names a registered mapper class (default `Mapper`). */
  static readonly MAPPER_TOPIC = 'MAPPER_TOPIC';
  /** Names a registered cipher class (default `AESCipher` when `CIPHER_KEY` is set). */
  static readonly CIPHER_TOPIC = 'CIPHER_TOPIC';
  /** The cipher's key (base64). */
  static readonly CIPHER_KEY = 'CIPHER_KEY';
  /** `zlib`, or a registered compressor class or object. */
  static readonly COMPRESSOR_TOPIC = 'COMPRESSOR_TOPIC';
  /** Whether the application takes snapshots (strtobool; default no). */
  static readonly IS_SNAPSHOTTING_ENABLED = 'IS_SNAPSHOTTING_ENABLED';

  /**
   * The factory named by the environment, made synchronously without I/O. `env` is an
   * `Environment` or a record of variables (default: `process.env`). Called on a subclass, it
   * makes that subclass. A name that is not registered is an `InfrastructureFactoryError`:
   * third-party modules need `InfrastructureFactory.constructAsync` (or `await App.create(...)`).
   *
   * @example
   * ```ts
   * import { InfrastructureFactory } from 'eventsourcing';
   *
   * await using factory = InfrastructureFactory.construct({
   *   PERSISTENCE_MODULE: 'sqlite',
   *   SQLITE_DBNAME: ':memory:',
   * });
   * const recorder = factory.applicationRecorder();
   * console.log(await recorder.maxNotificationId()); // null: nothing recorded yet
   * ```
   */
  static construct(env?: Environment | EnvType): InfrastructureFactory {
    const environment = toEnvironment(env);
    // Called on a concrete subclass, `this` is that subclass.
    if (this !== InfrastructureFactory) {
      return new (this as unknown as InfrastructureFactoryClass)(environment);
    }
    const found = lookup(environment, PERSISTENCE_MODULE_KEYS);
    const value = found?.value ?? DEFAULT_PERSISTENCE_MODULE;
    const cls = registered(value);
    if (cls === undefined) {
      throw new InfrastructureFactoryError(
        `Persistence module '${value}'${found ? ` (from environment variable '${found.key}')` : ''} ` +
          `is not a built-in module. Built-in modules: ${knownNames()}. A third-party module is ` +
          `loaded with 'await App.create(...)' or 'await InfrastructureFactory.constructAsync(env)', ` +
          'which import it.',
      );
    }
    return new cls(environment);
  }

  /**
   * Like `construct`, but a name that is not registered is imported (`await import(name)`, or
   * `'package:ExportName'`), and the module's factory used: its export `Factory`, else its
   * default export, else its one export that subclasses `InfrastructureFactory`.
   */
  static async constructAsync(env?: Environment | EnvType): Promise<InfrastructureFactory> {
    const environment = toEnvironment(env);
    // Called on a concrete subclass, `this` is that subclass.
    if (this !== InfrastructureFactory) {
      return new (this as unknown as InfrastructureFactoryClass)(environment);
    }
    const found = lookup(environment, PERSISTENCE_MODULE_KEYS);
    const value = found?.value ?? DEFAULT_PERSISTENCE_MODULE;
    const key = found?.key ?? InfrastructureFactory.PERSISTENCE_MODULE;
    let cls = registered(value);
    if (cls === undefined) {
      const colon = value.lastIndexOf(':');
      const specifier = colon > 0 ? value.slice(0, colon) : value;
      const exportName = colon > 0 ? value.slice(colon + 1) : null;
      const pkg = packageOf(specifier);
      // 'node:fs' would read as the export 'fs' of a package 'node': URL schemes are refused.
      const isUrl = /^(node|data|file|https?|blob):/i.test(value);
      if (
        isUrl ||
        pkg === null ||
        (exportName !== null && !/^[A-Za-z_$][\w$]*$/.test(exportName))
      ) {
        throw new InfrastructureFactoryError(
          `Persistence module ${JSON.stringify(value)} (from environment variable '${key}') is ` +
            `neither a built-in module (${knownNames()}) nor a package name ('package' or ` +
            `'package:ExportName'). Paths and URLs are not imported: publish the module as a ` +
            'package, or register its factory with registerPersistenceModule(name, Factory).',
        );
      }
      let mod: Record<string, unknown>;
      try {
        mod = (await import(specifier)) as Record<string, unknown>;
      } catch (error) {
        throw new InfrastructureFactoryError(
          `Cannot import persistence module '${specifier}' (from environment variable '${key}'). ` +
            `Install it with 'npm install ${pkg}', or use a built-in module: ${knownNames()}.`,
          { cause: error },
        );
      }
      cls = factoryFromModule(mod, specifier, exportName, key);
    }
    return new cls(environment);
  }

  /** Names a custom application recorder class (registered with `registerTopic`). */
  static readonly APPLICATION_RECORDER_TOPIC = 'APPLICATION_RECORDER_TOPIC';
  /** Names a custom tracking recorder class (registered with `registerTopic`). */
  static readonly TRACKING_RECORDER_TOPIC = 'TRACKING_RECORDER_TOPIC';
  /** Names a custom process recorder class (registered with `registerTopic`). */
  static readonly PROCESS_RECORDER_TOPIC = 'PROCESS_RECORDER_TOPIC';

  /** The application's environment (`APPNAME_`-scoped lookups). */
  readonly env: Environment;

  /**
   * Receives errors of the backend's background work, which no call waits for (a lost idle
   * connection, a LISTEN connection failing, a subscription retrying); null: the backend
   * reports them as process warnings. Set by an application's `onError` option.
   */
  onError: ErrorHook | null = null;

  private readonly closables = new Set<Closable>();

  constructor(env: Environment) {
    if (!(env instanceof Environment)) {
      throw new TypeError(
        `${new.target.name} needs an Environment: use ${new.target.name}.construct(vars) for a plain record.`,
      );
    }
    this.env = env;
  }

  // The recorder methods are template methods: each picks the recorder class (the one given,
  // else the one an environment key names, else the backend's own), asks the backend to make
  // it (the create* hooks), and remembers it so that close() closes it.

  /** A recorder of aggregate events; `purpose` is `'events'` (default) or `'snapshots'`. */
  aggregateRecorder(purpose = 'events'): R['aggregate'] {
    return this.track(this.createAggregateRecorder(purpose));
  }

  /**
   * A recorder of events and notifications for an application: the backend's, or a subclass of
   * it named by `APPLICATION_RECORDER_TOPIC`.
   */
  applicationRecorder(): R['application'] {
    const recorderClass = this.recorderClass(InfrastructureFactory.APPLICATION_RECORDER_TOPIC);
    return this.track(this.createApplicationRecorder(recorderClass));
  }

  /**
   * A recorder of tracking records. Given a view class (a subclass of this backend's tracking
   * recorder, with the user's own tables and commands), makes one of that class on this
   * factory's database; else the backend's, or the class `TRACKING_RECORDER_TOPIC` names.
   */
  trackingRecorder(): R['tracking'];
  trackingRecorder<T extends TrackingRecorder>(viewClass: RecorderClass<T>): T;
  trackingRecorder(viewClass?: RecorderClass<TrackingRecorder> | null): TrackingRecorder {
    const recorderClass =
      viewClass ?? this.recorderClass(InfrastructureFactory.TRACKING_RECORDER_TOPIC);
    return this.track(this.createTrackingRecorder(recorderClass));
  }

  /**
   * A recorder of events, notifications and tracking (for process applications): the
   * backend's, or a subclass of it named by `PROCESS_RECORDER_TOPIC`.
   */
  processRecorder(): R['process'] {
    const recorderClass = this.recorderClass(InfrastructureFactory.PROCESS_RECORDER_TOPIC);
    return this.track(this.createProcessRecorder(recorderClass));
  }

  /**
   * The event store of dynamic consistency boundaries on this factory's database. A backend
   * without one is an `InfrastructureFactoryError`.
   */
  dcbRecorder(): DCBRecorder {
    const recorder = this.createDCBRecorder();
    if (recorder === null) {
      throw new InfrastructureFactoryError(
        `${this.constructor.name} has no DCB recorder: use a persistence module that provides ` +
          'one (memory, sqlite or postgres).',
      );
    }
    return this.track(recorder);
  }

  /** Makes the backend's aggregate recorder for `purpose`. */
  protected abstract createAggregateRecorder(purpose: string): R['aggregate'];
  /** Makes an application recorder of `recorderClass` (a subclass of the backend's), or the backend's. */
  protected abstract createApplicationRecorder(
    recorderClass: RecorderClass<ApplicationRecorder> | null,
  ): R['application'];
  /** Makes a tracking recorder of `recorderClass` (a subclass of the backend's), or the backend's. */
  protected abstract createTrackingRecorder(
    recorderClass: RecorderClass<TrackingRecorder> | null,
  ): TrackingRecorder;
  /** Makes a process recorder of `recorderClass` (a subclass of the backend's), or the backend's. */
  protected abstract createProcessRecorder(
    recorderClass: RecorderClass<ProcessRecorder> | null,
  ): R['process'];
  /**
   * The lock that makes one process at a time the owner of this factory's application as a
   * follower (used by the runners that run followers in several processes), or `null` (the
   * default) when the backend's data lives in one process and needs none (memory).
   */
  followerLock(): FollowerLock | null {
    return null;
  }

  /** Makes the backend's DCB recorder; `null` (the default) when the backend has none. */
  protected createDCBRecorder(): DCBRecorder | null {
    return null;
  }

  /**
   * The class a `create*` hook makes: `base` (the backend's own) when `recorderClass` is null,
   * else `recorderClass` once checked to extend `base` (see `checkRecorderClass`).
   */
  protected recorderClassOr<C extends abstract new (...args: never[]) => unknown>(
    recorderClass: RecorderClass<unknown> | null,
    base: C,
  ): C {
    return recorderClass === null ? base : this.checkRecorderClass(recorderClass, base);
  }

  /**
   * Checks that a recorder class given by a user (or named by an environment key) extends the
   * backend's class `base`, and returns it typed as a constructor of the backend's arguments.
   */
  protected checkRecorderClass<C extends abstract new (...args: never[]) => unknown>(
    recorderClass: RecorderClass<unknown>,
    base: C,
  ): C {
    if ((recorderClass as unknown) !== base && !(recorderClass.prototype instanceof base)) {
      throw new InfrastructureFactoryError(
        `${recorderClass.name || 'The recorder class'} does not extend ${base.name}, so ` +
          `${this.constructor.name} cannot make it: extend ${base.name} (its constructor takes ` +
          'the same arguments), or choose the persistence module the class was written for.',
      );
    }
    return recorderClass as unknown as C;
  }

  /**
   * Remembers a recorder (or anything closable) so that `close()` closes it. The recorder
   * methods do this by themselves; call it for other resources made by a subclass.
   */
  protected track<T>(closable: T): T {
    const c = closable as Partial<Closable> | null;
    if (c !== null && typeof c === 'object' && typeof c.close === 'function') {
      this.closables.add(c as Closable);
    }
    return closable;
  }

  /** The class an environment key names, or `null` when the key is not set. */
  private recorderClass(key: string): RecorderClass<never> | null {
    const found = lookup(this.env, [key]);
    if (found === null) return null;
    return this.resolveClass(found.key, found.value) as RecorderClass<never>;
  }

  /** A `JSONTranscoder`, unless `TRANSCODER_TOPIC` names a registered transcoder class. */
  transcoder(): Transcoder {
    const found = lookup(this.env, [InfrastructureFactory.TRANSCODER_TOPIC]);
    if (found === null || TRANSCODER_ALIASES.has(found.value)) return new JSONTranscoder();
    const cls = this.resolveClass(found.key, found.value);
    return new (cls as new () => Transcoder)();
  }

  /**
   * A `Mapper` (or the class `MAPPER_TOPIC` names) with this factory's transcoder (or the one
   * given), compressor and cipher.
   */
  mapper(transcoder?: Transcoder): Mapper {
    const options: MapperOptions = {
      transcoder: transcoder ?? this.transcoder(),
      compressor: this.compressor(),
      cipher: this.cipher(),
    };
    const found = lookup(this.env, [InfrastructureFactory.MAPPER_TOPIC]);
    if (found === null || MAPPER_ALIASES.has(found.value)) return new Mapper(options);
    const cls = this.resolveClass(found.key, found.value);
    return new (cls as new (options: MapperOptions) => Mapper)(options);
  }

  /**
   * The cipher: the class `CIPHER_TOPIC` names, made with this environment, or an `AESCipher`
   * when only `CIPHER_KEY` is set; `null` when neither is. A topic without a key is an error.
   */
  cipher(): Cipher | null {
    const topic = lookup(this.env, [InfrastructureFactory.CIPHER_TOPIC]);
    const key = lookup(this.env, [InfrastructureFactory.CIPHER_KEY]);
    if (topic === null) return key === null ? null : new AESCipher(this.env);
    if (key === null) {
      throw new InfrastructureFactoryError(
        `'${topic.key}' is set to '${topic.value}' but '${InfrastructureFactory.CIPHER_KEY}' is not: ` +
          'set CIPHER_KEY (make one with AESCipher.createKey()), or unset the cipher topic.',
      );
    }
    if (CIPHER_ALIASES.has(topic.value)) return new AESCipher(this.env);
    const cls = this.resolveClass(topic.key, topic.value);
    return new (cls as new (env: Environment) => Cipher)(this.env);
  }

  /**
   * The compressor `COMPRESSOR_TOPIC` names: `zlib` (Python's value too) for a `ZlibCompressor`,
   * or a registered class (instantiated) or object with `compress` and `decompress`; else `null`.
   */
  compressor(): Compressor | null {
    const found = lookup(this.env, [InfrastructureFactory.COMPRESSOR_TOPIC]);
    if (found === null) return null;
    if (COMPRESSOR_ALIASES.has(found.value)) return ZlibCompressor.fromEnvironment(this.env);
    const resolved = this.resolve(found.key, found.value);
    const compressor =
      typeof resolved === 'function'
        ? (new (resolved as new () => unknown)() as unknown)
        : resolved;
    const c = compressor as Partial<Compressor> | null;
    if (
      c === null ||
      typeof c !== 'object' ||
      typeof c.compress !== 'function' ||
      typeof c.decompress !== 'function'
    ) {
      throw new InfrastructureFactoryError(
        `'${found.key}' names '${found.value}', which is not a compressor (an object with ` +
          'compress and decompress methods, or a class of such objects).',
      );
    }
    return c as Compressor;
  }

  /** An event store of the mapper and the recorder. */
  eventStore(mapper: Mapper, recorder: AggregateRecorder): EventStore {
    return new EventStore(mapper, recorder);
  }

  /** Whether `IS_SNAPSHOTTING_ENABLED` is true (strtobool; default false). */
  isSnapshottingEnabled(): boolean {
    const found = lookup(this.env, [InfrastructureFactory.IS_SNAPSHOTTING_ENABLED]);
    if (found === null) return false;
    try {
      return strtobool(found.value);
    } catch (error) {
      throw new InfrastructureFactoryError(
        `Invalid value for '${found.key}': ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  /** Closes every recorder this factory made; safe to call more than once. */
  async close(): Promise<void> {
    const recorders = [...this.closables];
    this.closables.clear();
    const results = await Promise.allSettled(recorders.map((r) => r.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private resolve(key: string, value: string): unknown {
    try {
      return resolveTopic(value);
    } catch (error) {
      throw new InfrastructureFactoryError(
        `Failed to resolve '${value}' from environment variable '${key}': register the class ` +
          `first with registerTopic('${value}', TheClass).`,
        { cause: error },
      );
    }
  }

  private resolveClass(key: string, value: string): Function {
    const resolved = this.resolve(key, value);
    if (typeof resolved !== 'function') {
      throw new InfrastructureFactoryError(`'${key}' names '${value}', which is not a class.`);
    }
    return resolved;
  }
}
