/** Converts objects to bytes and back: the first stage of a `Mapper`. */
export interface Transcoder {
  /** The bytes of `obj`. */
  encode(obj: unknown): Uint8Array;
  /** The object whose bytes these are. */
  decode(data: Uint8Array): unknown;
}
