/**
 * The W1 application: the dog school of the README, written as a user would write it (an
 * `Application` subclass over a decorated aggregate), so that the benchmark measures the public API.
 */
import { DogSchool as ReadmeDogSchool } from '../examples/dog-school.js';

export { Dog } from '../examples/dog-school.js';

/**
 * The W1 application: the README's register, addTrick (get + command + save) and getDog.
 */
export class DogSchool extends ReadmeDogSchool {
  /** Sections as large as the benchmark's pages, so the log is read in pages of that size. */
  static override logSectionSize = 1000;
}

/** The dog school with snapshots stored (for the snapshot timing). */
export class SnapshottingDogSchool extends DogSchool {
  static override isSnapshottingEnabled = true;
}

const named = new Map<string, typeof DogSchool>();

/**
 * A subclass of `base` whose application name is `name` (PostgreSQL tables are prefixed by it),
 * made once per base and name: every run then uses the same class, as an application would, so
 * that the code V8 optimised in the warm-up pass is the code the timed runs use.
 */
export function namedApplication(base: typeof DogSchool, name: string): typeof DogSchool {
  const key = `${base.name}:${name}`;
  let cls = named.get(key);
  if (cls === undefined) {
    cls = class extends base {};
    Object.defineProperty(cls, 'name', { value: name });
    named.set(key, cls);
  }
  return cls;
}
