import type { DomainEventLike } from '../domain/protocols.js';
import { getTopic, resolveTopic } from '../domain/topics.js';
import { classVersionOf, upcastState } from '../domain/versioning.js';
import type { Cipher } from './cipher.js';
import type { Compressor } from './compressor.js';
import { MapperDeserialisationError, TranscodingNotRegisteredError } from './errors.js';
import { decodeIntoEvent, encodeFromEvent } from './fast/event-fields.js';
import { fastPathsByDefault } from './fast/fast-paths.js';
import { isKept, keptEvent, noteWritten, rememberDecoded } from './fast/kept-events.js';
import type { StoredEvent } from './stored-event.js';
import {
  CLASS_VERSION,
  ORIGINATOR_ID,
  ORIGINATOR_TOPIC,
  ORIGINATOR_VERSION,
  STORED_ORIGINATOR_TOPIC,
  storedFieldName,
} from './stored-field-names.js';
import type { Transcoder } from './transcoder.js';

/** Options of `new Mapper(...)`. */
export interface MapperOptions {
  /** Turns event state into bytes and back. */
  transcoder: Transcoder;
  /** Compresses the encoded state (before encryption). */
  compressor?: Compressor | null;
  /** Encrypts the (compressed) encoded state. */
  cipher?: Cipher | null;
  /**
   * Whether to use the speed machinery (`src/persistence/fast/`): state written from and read
   * into events through the transcoder's `encodeFields`/`decodeFields`, and decoded events
   * kept beside the in-memory recorders' stored events. Default: true, unless the environment
   * variable `EVENTSOURCING_FAST_PATHS` is false. The results are the same either way.
   */
  fastPaths?: boolean;
}

/** What the mapper works out once per event class. */
interface ClassInfo {
  readonly cls: Function & { prototype: object };
  readonly topic: string;
  readonly classVersion: number;
  /** `{ class_version }`, written after the fields when the class version is above 1. */
  readonly classVersionField: Readonly<Record<string, number>> | null;
  /**
   * The last event made of this class. Holding one keeps the hidden class (V8 map) of its
   * events alive through full garbage collections: when no event of a class is left, V8 drops
   * that map and throws away the optimised code that was built for it, and decoding runs slowly
   * until it is optimised again.
   */
  lastEvent: object | null;
  /** Fast path: what the transcoder learns about this class's state (`decodeFields`). */
  readonly decodeMemo: { shape?: unknown };
}

function classInfo(cls: ClassInfo['cls'], topic: string): ClassInfo {
  const classVersion = classVersionOf(cls);
  const classVersionField = classVersion > 1 ? { [CLASS_VERSION]: classVersion } : null;
  return { cls, topic, classVersion, classVersionField, lastEvent: null, decodeMemo: {} };
}

/** The stored state of an event: its fields without id and version, renamed as stored. */
function storedState(event: object, info: ClassInfo): Record<string, unknown> {
  const fields = event as Record<string, unknown>;
  const state: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const name = storedFieldName(key);
    if (name === null) continue;
    if (name === '__proto__') {
      Object.defineProperty(state, name, { value: fields[key], enumerable: true, writable: true });
    } else state[name] = fields[key];
  }
  if (info.classVersionField !== null) state[CLASS_VERSION] = info.classVersion;
  return state;
}

/**
 * Converts domain events to stored events and back. Writing: the topic of the event's class, and
 * its state (own enumerable fields except `originatorId` and `originatorVersion`;
 * `originatorTopic` stored as Python's `originator_topic`; `class_version` added when the class's
 * static `classVersion` is above 1) encoded by the transcoder, then compressed, then encrypted.
 * Reading reverses that, upcasts old state in place with the class's static `upcastV1V2(state)`,
 * `upcastV2V3(state)`, … (the domain layer's `upcastState`), and makes the
 * event with `Object.create(cls.prototype)` (no constructor runs), frozen.
 *
 * A stored event that cannot be read is a `MapperDeserialisationError` naming its topic,
 * originator id and version, with the original error as `cause`; except that a value with no
 * registered transcoding stays a `TranscodingNotRegisteredError` (its message names the event
 * too), so that one class catches that mistake on write and on read.
 *
 * The mapper holds on to the last event it read of each class (a snapshot is one too), so that
 * V8 keeps the hidden class of those events, and the code optimised for it, through full
 * garbage collections.
 *
 * This class is the plain path. With fast paths on (the default; `fastPaths` option), three
 * calls into `./fast/` come first, each falling back to the plain path where it does not apply:
 * `encodeFromEvent` on write; on read, `keptEvent` (the in-memory recorders' events, decoded
 * once) and `decodeIntoEvent`.
 */
export class Mapper {
  /** Turns event state into bytes and back. */
  readonly transcoder: Transcoder;
  /** Compresses encoded state, or `null`. */
  readonly compressor: Compressor | null;
  /** Encrypts encoded state, or `null`. */
  readonly cipher: Cipher | null;

  /** Whether the speed machinery is used (see `MapperOptions.fastPaths`). */
  readonly fastPaths: boolean;
  readonly #byClass = new Map<Function, ClassInfo>();
  readonly #byTopic = new Map<string, ClassInfo>();
  // Events read together mostly share their topic: comparing with the last one is cheaper than
  // hashing the topic (a new string for every row a database returns).
  #lastByTopic: ClassInfo | null = null;

  constructor(options: MapperOptions) {
    if (options === null || typeof options !== 'object' || options.transcoder == null) {
      throw new TypeError('new Mapper({ transcoder, compressor?, cipher? }) needs a transcoder.');
    }
    this.transcoder = options.transcoder;
    this.compressor = options.compressor ?? null;
    this.cipher = options.cipher ?? null;
    this.fastPaths = options.fastPaths ?? fastPathsByDefault();
  }

  /** The stored form of a domain event. */
  toStoredEvent(event: DomainEventLike): StoredEvent {
    const cls = (event as object).constructor;
    let info = this.#byClass.get(cls);
    if (info === undefined) {
      const topic = getTopic(cls);
      info = classInfo(cls, topic);
      this.#byClass.set(cls, info);
    }
    const originatorId = event.originatorId;
    const originatorVersion = event.originatorVersion;
    if (typeof originatorId !== 'string' || typeof originatorVersion !== 'number') {
      throw new TypeError(
        `Cannot store a ${info.topic} event without a string originatorId and a number ` +
          `originatorVersion (got ${typeof originatorId} and ${typeof originatorVersion}).`,
      );
    }
    const encoded = this.fastPaths
      ? encodeFromEvent(this.transcoder, event, info.classVersion, info.classVersionField)
      : null;
    let data = encoded ?? this.transcoder.encode(storedState(event, info));
    if (this.compressor !== null) data = this.compressor.compress(data);
    if (this.cipher !== null) data = this.cipher.encrypt(data);
    const stored = { originatorId, originatorVersion, topic: info.topic, state: data };
    // Written from the event's own fields, at the current version, by a transcoder that reads
    // them back as they are: an in-memory recorder may keep the event's form as it stands now.
    if (
      encoded !== null &&
      info.classVersion === 1 &&
      (this.transcoder as { readsBackAsWritten?: boolean }).readsBackAsWritten === true
    ) {
      noteWritten(stored, this, event);
    }
    return stored;
  }

  /** The domain event a stored event was made from, upcast to its class's current version. */
  toDomainEvent<E extends DomainEventLike = DomainEventLike>(stored: StoredEvent): E {
    const kept = this.fastPaths && isKept(stored);
    if (kept) {
      const event = keptEvent(stored, this, stored.originatorId, stored.originatorVersion);
      if (event !== null) return event as E;
    }
    const event = this.#decode(stored);
    if (kept) rememberDecoded(stored, this, event);
    return event as E;
  }

  /** The domain event decoded from a stored event's bytes (see `toDomainEvent`). */
  #decode(stored: StoredEvent): object {
    try {
      let data = stored.state;
      if (this.cipher !== null) data = this.cipher.decrypt(data);
      if (this.compressor !== null) data = this.compressor.decompress(data);
      const info = this.#infoForTopic(stored.topic);
      // Current-version state goes straight into the event; older state is upcast first.
      if (info.classVersion === 1 && this.fastPaths) {
        const event = decodeIntoEvent(
          this.transcoder,
          data,
          info.cls.prototype,
          stored.originatorId,
          stored.originatorVersion,
          info.decodeMemo,
        );
        if (event !== null) {
          info.lastEvent = Object.freeze(event);
          return event;
        }
      }
      const state = this.transcoder.decode(data) as Record<string, unknown>;
      if (state === null || typeof state !== 'object' || Array.isArray(state)) {
        throw new TypeError(`The decoded state is not an object, but ${JSON.stringify(state)}.`);
      }
      if (info.classVersion > 1) {
        const raw = state[CLASS_VERSION];
        const version = raw === undefined ? 1 : raw;
        if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
          throw new TypeError(`Invalid stored class_version: ${JSON.stringify(raw)}.`);
        }
        if (version < info.classVersion) upcastState(info.cls, state, version);
      }
      const event = Object.create(info.cls.prototype) as Record<string, unknown>;
      event[ORIGINATOR_ID] = stored.originatorId;
      event[ORIGINATOR_VERSION] = stored.originatorVersion;
      for (const key of Object.keys(state)) {
        if (key === CLASS_VERSION) continue;
        if (key === STORED_ORIGINATOR_TOPIC) event[ORIGINATOR_TOPIC] = state[key];
        else if (key === '__proto__' || key === ORIGINATOR_ID || key === ORIGINATOR_VERSION) {
          // Never let stored state replace the prototype or the stored id and version.
          if (key === '__proto__') {
            Object.defineProperty(event, key, { value: state[key], enumerable: true });
          }
        } else event[key] = state[key];
      }
      info.lastEvent = Object.freeze(event);
      return event;
    } catch (error) {
      const which =
        `topic '${stored.topic}', originator id '${stored.originatorId}', ` +
        `version ${stored.originatorVersion}`;
      if (error instanceof TranscodingNotRegisteredError) {
        throw new TranscodingNotRegisteredError(
          `${error.message} (reading the stored event with ${which})`,
          {
            cause: error,
          },
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new MapperDeserialisationError(
        `Failed to deserialise the stored event with ${which}: ${reason}`,
        { cause: error },
      );
    }
  }

  #infoForTopic(topic: string): ClassInfo {
    const last = this.#lastByTopic;
    if (last !== null && last.topic === topic) return last;
    let info = this.#byTopic.get(topic);
    if (info === undefined) {
      const cls = resolveTopic<unknown>(topic);
      if (typeof cls !== 'function') {
        throw new TypeError(`Topic '${topic}' names ${String(cls)}, which is not a class.`);
      }
      info = classInfo(cls as ClassInfo['cls'], topic);
      this.#byTopic.set(topic, info);
    }
    this.#lastByTopic = info;
    return info;
  }
}
