import { describeValue } from '../utils/describe-value.js';

/** Checks what `createId` returned. */
export function checkCreatedId(cls: { readonly name: string }, id: unknown): string {
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(
      `${cls.name}.createId() returned ${describeValue(id)}: an aggregate id must be a ` +
        `non-empty string (a UUID by default).`,
    );
  }
  return id;
}
