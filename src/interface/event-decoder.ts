import { hasTopic } from '../domain/topics.js';
import type { Mapper } from '../persistence/mapper.js';
import type { Notification, StoredEvent } from '../persistence/stored-event.js';
import type { InspectedEvent } from './inspected-event.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Fields of a domain event not shown among its `fields`. */
const EVENT_KEYS_NOT_FIELDS = new Set(['originatorId', 'originatorVersion', 'timestamp']);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Decodes stored events for inspection with an application's mapper (its transcoder,
 * compressor and cipher), whether or not the events' classes are imported (see
 * `InspectedEvent`). It never throws for an event it cannot decode: the event's `error` says
 * what went wrong and what to set.
 */
export class EventDecoder {
  /** The application's mapper. */
  readonly mapper: Mapper;

  constructor(mapper: Mapper) {
    this.mapper = mapper;
  }

  /** The stored event (or notification) decoded as far as possible. */
  decode(stored: StoredEvent | Notification): InspectedEvent {
    const id = 'id' in stored && typeof stored.id === 'number' ? stored.id : null;
    const base = {
      id,
      originatorId: stored.originatorId,
      originatorVersion: stored.originatorVersion,
      topic: stored.topic,
      state: stored.state,
    };
    const state = this.decodeState(stored.state);
    if (typeof state === 'string') {
      return {
        ...base,
        timestamp: null,
        fields: null,
        domainEvent: null,
        className: null,
        error: state,
      };
    }
    const timestamp = state.fields.timestamp instanceof Date ? state.fields.timestamp : null;
    if (hasTopic(stored.topic) && state.error === null) {
      try {
        const domainEvent = this.mapper.toDomainEvent(stored) as object;
        const fields: Record<string, unknown> = {};
        for (const key of Object.keys(domainEvent)) {
          if (!EVENT_KEYS_NOT_FIELDS.has(key)) {
            fields[key] = (domainEvent as Record<string, unknown>)[key];
          }
        }
        const eventTimestamp = (domainEvent as { timestamp?: unknown }).timestamp;
        return {
          ...base,
          timestamp: eventTimestamp instanceof Date ? eventTimestamp : timestamp,
          fields,
          domainEvent,
          className: domainEvent.constructor.name,
          error: null,
        };
      } catch (error) {
        return {
          ...base,
          timestamp,
          fields: withoutTimestamp(state.fields),
          domainEvent: null,
          className: null,
          error: `the class of topic '${stored.topic}' could not read it: ${messageOf(error)}`,
        };
      }
    }
    return {
      ...base,
      timestamp,
      fields: withoutTimestamp(state.fields),
      domainEvent: null,
      className: null,
      error: state.error,
    };
  }

  /**
   * The state decrypted, decompressed and decoded by the transcoder, or, when a value has no
   * transcoding registered here, the plain JSON (with its `{_type_, _data_}` wrappers) and a
   * note saying so; or a string saying why it could not be decoded.
   */
  private decodeState(
    bytes: Uint8Array,
  ): { fields: Record<string, unknown>; error: string | null } | string {
    const { cipher, compressor, transcoder } = this.mapper;
    let data = bytes;
    if (cipher !== null) {
      try {
        data = cipher.decrypt(data);
      } catch (error) {
        return (
          `cannot decrypt the state (${messageOf(error)}): CIPHER_KEY is not the key these ` +
          'events were encrypted with'
        );
      }
    }
    if (compressor !== null) {
      try {
        data = compressor.decompress(data);
      } catch (error) {
        return (
          `cannot decompress the state (${messageOf(error)}): check COMPRESSOR_TOPIC` +
          (cipher === null ? ', and set CIPHER_KEY if the application encrypts its events' : '')
        );
      }
    }
    let decoded: unknown;
    let error: string | null = null;
    try {
      decoded = transcoder.decode(data);
    } catch (transcoderError) {
      // A value of a type with no transcoding here: show the JSON as stored.
      try {
        decoded = JSON.parse(UTF8.decode(data));
        error = `shown as stored JSON: ${messageOf(transcoderError)}`;
      } catch {
        const missing = [
          cipher === null ? 'CIPHER_KEY' : null,
          compressor === null ? 'COMPRESSOR_TOPIC' : null,
        ].filter((key) => key !== null);
        return (
          // The parser's message would quote the undecodable bytes: say what it is instead.
          `cannot decode the state: it is not JSON${
            transcoderError instanceof SyntaxError || transcoderError instanceof TypeError
              ? ''
              : ` (${messageOf(transcoderError)})`
          }` +
          (missing.length > 0
            ? `. If the application encrypts or compresses its events, set ${missing.join(
                ' and ',
              )} as it does`
            : '')
        );
      }
    }
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
      return `cannot decode the state: it is not a JSON object, but ${JSON.stringify(decoded)}`;
    }
    return { fields: decoded as Record<string, unknown>, error };
  }
}

/** The fields without `timestamp` when that is a Date (it is shown on its own). */
function withoutTimestamp(fields: Record<string, unknown>): Record<string, unknown> {
  if (!(fields.timestamp instanceof Date)) return fields;
  const { timestamp: _timestamp, ...rest } = fields;
  return rest;
}
