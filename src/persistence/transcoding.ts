/**
 * A constructor whose instances a `Transcoding` encodes. Matched exactly: a subclass needs its
 * own transcoding.
 */
export type TranscodingType<T> = abstract new (...args: never[]) => T;

/**
 * Converts values of one non-JSON type to JSON-able data and back, under a `name` that is
 * written into the stored data (`{"_type_": name, "_data_": encoded}`), so the name must never
 * change once events are stored. `type` is `null` for a decode-only transcoding (data written
 * by another program, for example Python's `uuid_hex`).
 */
export interface Transcoding<T> {
  /** The exact constructor of the values this encodes, or `null` when it only decodes. */
  readonly type: TranscodingType<T> | null;
  /** The name stored with the data; unique within a transcoder. */
  readonly name: string;
  /** Returns data made of JSON values and values the transcoder can encode (it recurses). */
  encode(obj: T): unknown;
  /** Rebuilds the value from the decoded data (nested values are already decoded). */
  decode(data: unknown): T;
}
