import { getTopic, resolveTopic } from '../domain/topics.js';
import { classVersionOf, upcastState } from '../domain/versioning.js';
import type { Cipher } from '../persistence/cipher.js';
import type { Compressor } from '../persistence/compressor.js';
import type { DCBEvent } from '../persistence/dcb-recorder.js';
import {
  MapperDeserialisationError,
  TranscodingNotRegisteredError,
} from '../persistence/errors.js';
import {
  CLASS_VERSION,
  ORIGINATOR_TOPIC,
  STORED_ORIGINATOR_TOPIC,
} from '../persistence/stored-field-names.js';
import type { Transcoder } from '../persistence/transcoder.js';
import { Decision } from './decision.js';
import { Tagged } from './tagged.js';

/**
 * What a `DCBMapper` is made of: a transcoder, and optionally a compressor and a cipher. A
 * `Mapper` (from `factory.mapper()`) has these, so `new DCBMapper(factory.mapper())` works.
 */
export interface DCBMapperOptions {
  /** Turns decision fields into bytes and back. */
  readonly transcoder: Transcoder;
  /** Compresses the encoded fields (before encryption). */
  readonly compressor?: Compressor | null;
  /** Encrypts the (compressed) encoded fields. */
  readonly cipher?: Cipher | null;
}

/**
 * Converts tagged decisions to DCB events and back (Python's `DCBMapper`), with the same
 * transcoding, compression and encryption as aggregate events: the event's `type` is the
 * decision class's topic, its `data` the decision's own fields encoded by the transcoder (with
 * `originatorTopic` stored as Python's `originator_topic`, and `class_version` when the class's
 * static `classVersion` is above 1), then compressed, then encrypted, and its `tags` the tags.
 * Reading reverses that, upcasts old fields with the class's static `upcastV1V2(state)`, …, and
 * makes the decision with `Object.create` (no constructor runs), frozen.
 */
export class DCBMapper {
  /** Turns decision fields into bytes and back. */
  readonly transcoder: Transcoder;
  /** Compresses encoded fields, or `null`. */
  readonly compressor: Compressor | null;
  /** Encrypts encoded fields, or `null`. */
  readonly cipher: Cipher | null;

  constructor(options: DCBMapperOptions) {
    if (options === null || typeof options !== 'object' || options.transcoder == null) {
      throw new TypeError(
        'new DCBMapper({ transcoder, compressor?, cipher? }) needs a transcoder (or pass ' +
          "an application's mapper: new DCBMapper(factory.mapper())).",
      );
    }
    this.transcoder = options.transcoder;
    this.compressor = options.compressor ?? null;
    this.cipher = options.cipher ?? null;
  }

  /** The DCB event of a tagged decision. */
  toDCBEvent(tagged: Tagged): DCBEvent {
    const decision = tagged.decision;
    const cls = decision.constructor;
    const fields = decision as unknown as Record<string, unknown>;
    const state: Record<string, unknown> = {};
    for (const key of Object.keys(fields)) {
      state[key === ORIGINATOR_TOPIC ? STORED_ORIGINATOR_TOPIC : key] = fields[key];
    }
    const classVersion = classVersionOf(cls);
    if (classVersion > 1) state[CLASS_VERSION] = classVersion;
    let data = this.transcoder.encode(state);
    if (this.compressor !== null) data = this.compressor.compress(data);
    if (this.cipher !== null) data = this.cipher.encrypt(data);
    return { type: getTopic(cls), data, tags: [...tagged.tags], id: tagged.id };
  }

  /** The tagged decision a DCB event was made from, upcast to its class's current version. */
  toTagged(event: DCBEvent): Tagged {
    try {
      let data = event.data;
      if (this.cipher !== null) data = this.cipher.decrypt(data);
      if (this.compressor !== null) data = this.compressor.decompress(data);
      const cls = resolveTopic<unknown>(event.type);
      if (typeof cls !== 'function' || !(cls.prototype instanceof Decision)) {
        throw new TypeError(
          `Topic '${event.type}' names ${String(cls)}, which is not a Decision class.`,
        );
      }
      const state = this.transcoder.decode(data) as Record<string, unknown>;
      if (state === null || typeof state !== 'object' || Array.isArray(state)) {
        throw new TypeError(`The decoded data is not an object, but ${JSON.stringify(state)}.`);
      }
      const classVersion = classVersionOf(cls);
      if (classVersion > 1) {
        const raw = state[CLASS_VERSION];
        const version = raw === undefined ? 1 : raw;
        if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
          throw new TypeError(`Invalid stored class_version: ${JSON.stringify(raw)}.`);
        }
        if (version < classVersion) upcastState(cls, state, version);
      }
      const decision = Object.create(cls.prototype as object) as Record<string, unknown>;
      for (const key of Object.keys(state)) {
        if (key === CLASS_VERSION || key === '__proto__') continue;
        decision[key === STORED_ORIGINATOR_TOPIC ? ORIGINATOR_TOPIC : key] = state[key];
      }
      return new Tagged(event.tags, Object.freeze(decision) as unknown as Decision, {
        id: event.id ?? null,
      });
    } catch (error) {
      const which = `type '${event.type}', tags ${JSON.stringify(event.tags)}`;
      if (error instanceof TranscodingNotRegisteredError) {
        throw new TranscodingNotRegisteredError(
          `${error.message} (reading the DCB event with ${which})`,
          {
            cause: error,
          },
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new MapperDeserialisationError(
        `Failed to deserialise the DCB event with ${which}: ${reason}`,
        { cause: error },
      );
    }
  }
}
