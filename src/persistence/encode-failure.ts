import { DataError, TranscodingNotRegisteredError } from './errors.js';

/** Deeper than this is taken to be a cycle (JSON cannot hold one). */
export const MAX_ENCODE_DEPTH = 1000;

/**
 * Thrown inside an encoding walk of `JSONTranscoder` (plain or fast), with the path of the value
 * collected as it propagates; `encodeError` turns it into the public error.
 */
export class EncodeFailure {
  /** The keys and indexes from the value up to the root (innermost first). */
  readonly path: (string | number)[] = [];
  constructor(
    readonly value: unknown,
    readonly reason: 'unregistered' | 'non-finite' | 'too-deep',
  ) {}
}

/** The public error for a failed encoding, naming the value's type and its path. */
export function encodeError(failure: EncodeFailure): Error {
  const where = failure.path.length > 0 ? ` (at ${renderPath(failure.path)})` : '';
  const { value } = failure;
  if (failure.reason === 'non-finite') {
    return new DataError(
      `Cannot encode ${String(value)}${where}: JSON has no NaN or Infinity. Store null or a ` +
        'string instead.',
    );
  }
  if (failure.reason === 'too-deep') {
    return new DataError(
      `Cannot encode a value nested more than ${MAX_ENCODE_DEPTH} levels deep${where}: it ` +
        'probably refers to itself (a cycle), which JSON cannot hold.',
    );
  }
  const name = typeName(value);
  return new TranscodingNotRegisteredError(
    `Object of type ${name} is not serializable${where}. Please define and register a custom ` +
      `transcoding for this type: transcoder.register({ type: ${name}, name: '...', ` +
      'encode(obj) { ... }, decode(data) { ... } }).',
  );
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    const ctor = (proto as { constructor?: { name?: unknown } } | null)?.constructor;
    return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
  }
  if (typeof value === 'function') return 'function';
  return typeof value;
}

function renderPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (let i = path.length - 1; i >= 0; i--) {
    const part = path[i]!;
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$|^<.*>$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
