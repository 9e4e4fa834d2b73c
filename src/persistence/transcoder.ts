/** Converts objects to bytes and back: the first stage of a `Mapper`. */
export interface Transcoder {
  /** The bytes of `obj`. */
  encode(obj: unknown): Uint8Array;
  /** The object whose bytes these are. */
  decode(data: Uint8Array): unknown;
  /**
   * Optional fast path for the mapper: decodes bytes that hold an object straight into
   * `target`, assigning each top-level field under the name `fieldName(key)` gives and leaving
   * it out when that is `null`, which saves making the object and copying it. Returns false when
   * it cannot (`target` may then hold some fields), and the mapper uses `decode` instead.
   * `memo` is an object the mapper keeps per event class, where the transcoder may remember
   * what it learns about that class's state (with the same `fieldName` every time).
   */
  decodeFields?(
    data: Uint8Array,
    target: Record<string, unknown>,
    fieldName: (key: string) => string | null,
    memo?: { shape?: unknown },
  ): boolean;
  /**
   * Optional fast path for the mapper: the bytes `encode` gives for an object made of the own
   * enumerable fields of `source`, each under the name `fieldName(key)` gives (left out when
   * that is `null`), followed by the fields of `extra`, which saves making that object.
   */
  encodeFields?(
    source: object,
    fieldName: (key: string) => string | null,
    extra: Readonly<Record<string, unknown>> | null,
  ): Uint8Array;
}
