import { AssertionError } from 'node:assert';
import { inspect, isDeepStrictEqual } from 'node:util';
import type { Slice } from '../dcb/slice.js';
import { Tagged } from '../dcb/tagged.js';

/** What `thenThrows` expects: an error class, the exact message, or a pattern of the message. */
export type ExpectedDCBError = (abstract new (...args: never[]) => Error) | string | RegExp;

/** A tagged decision as the specification's messages show it: class, fields and tags. */
function describeTagged(tagged: Tagged): string {
  return `${tagged.decision.constructor.name} ${inspect({ ...tagged.decision }, { breakLength: Infinity })} tagged ${inspect([...tagged.tags], { breakLength: Infinity })}`;
}

function checkTagged(events: readonly unknown[], where: string): Tagged[] {
  for (const e of events) {
    if (!(e instanceof Tagged)) {
      throw new TypeError(
        `${where} takes tagged decisions (new Tagged(tags, SomeDecision.create({ ... }))), got ` +
          `${inspect(e)}.`,
      );
    }
  }
  return events as Tagged[];
}

/**
 * A slice with the decisions it was given (Python's `When` in `eventsourcing.dcb.gwt`): made by
 * `given(...events).when(slice)` or `when(slice).given(...events)`, which check that the slice's
 * consistency boundary selects every given decision (else an `AssertionError`
 * "Consistency boundary wouldn't have selected: …", since the application would never have
 * applied it) and apply them. `then` and `thenThrows` execute the slice and assert.
 */
export class DCBSpecificationWhen<S extends Slice> {
  /** The slice under test, with the given decisions applied. */
  readonly slice: S;
  /** The given decisions. */
  readonly givenEvents: readonly Tagged[];

  constructor(givenEvents: readonly Tagged[], slice: S) {
    this.givenEvents = checkTagged(givenEvents, 'given()');
    this.slice = slice;
    const boundary = slice.consistencyBoundary();
    for (const tagged of this.givenEvents) {
      // An empty boundary selects every decision, as the application reads it.
      if (boundary.length > 0 && !boundary.some((s) => s.matches(tagged.decision, tagged.tags))) {
        throw new AssertionError({
          message: `Consistency boundary wouldn't have selected: ${describeTagged(tagged)}`,
        });
      }
    }
    for (const tagged of this.givenEvents) tagged.decision.mutate(slice);
  }

  /**
   * Executes the slice and asserts that it decided exactly `expected` (same classes, fields and
   * tags, in order): else an `AssertionError` saying "Expected N events, got M", or which event
   * differs ("Event i decision mismatch: …", "Event i tags mismatch: …"). Resolves to the slice.
   */
  // biome-ignore lint/suspicious/noThenProperty: Python's given/when/then; awaiting the specification itself is rejected.
  then(...expected: Tagged[]): Promise<S> {
    const [first, second] = expected as unknown[];
    if (typeof first === 'function') {
      // Awaited itself (a thenable), the specification would never settle: reject instead.
      const error = new TypeError(
        'A DCB specification is not awaited by itself: call then(...expectedDecisions) or ' +
          'thenThrows(expectedError) and await what it returns.',
      );
      if (typeof second === 'function') second(error);
      const rejected = Promise.reject(error);
      rejected.catch(() => {}); // the await above has been told already
      return rejected;
    }
    return this.runThen(expected);
  }

  private async runThen(expected: Tagged[]): Promise<S> {
    checkTagged(expected, 'then()');
    await this.slice.execute();
    const collected = this.slice.collectNewDecisions();
    if (collected.length !== expected.length) {
      throw new AssertionError({
        message:
          `Expected ${expected.length} events, got ${collected.length}` +
          (collected.length > 0 ? `: ${collected.map(describeTagged).join('; ')}` : ''),
      });
    }
    for (let i = 0; i < expected.length; i++) {
      const actual = collected[i] as Tagged;
      const exp = expected[i] as Tagged;
      if (!isDeepStrictEqual(actual.decision, exp.decision)) {
        throw new AssertionError({
          message: `Event ${i} decision mismatch: expected ${describeTagged(exp)}, got ${describeTagged(actual)}`,
        });
      }
      if (!isDeepStrictEqual([...actual.tags], [...exp.tags])) {
        throw new AssertionError({
          message: `Event ${i} tags mismatch: expected ${inspect([...exp.tags])}, got ${inspect([...actual.tags])}`,
        });
      }
    }
    return this.slice;
  }

  /**
   * Executes the slice and asserts that it throws: an error of the class given, or whose
   * message is the string given (exactly) or matches the pattern. Resolves to the error.
   */
  async thenThrows(expected: ExpectedDCBError): Promise<Error> {
    let decided: Tagged[];
    try {
      await this.slice.execute();
      decided = this.slice.collectNewDecisions();
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const ok =
        typeof expected === 'string'
          ? err.message === expected
          : expected instanceof RegExp
            ? expected.test(err.message)
            : err instanceof expected;
      if (!ok) {
        throw new AssertionError({
          message: `Expected the slice to throw ${describeExpected(expected)}, but it threw ${err.name}: ${JSON.stringify(err.message)}`,
          actual: err,
          expected,
        });
      }
      return err;
    }
    throw new AssertionError({
      message:
        `Expected the slice to throw ${describeExpected(expected)}, but it decided ` +
        `${decided.length} events${decided.length > 0 ? `: ${decided.map(describeTagged).join('; ')}` : ''}`,
    });
  }
}

function describeExpected(expected: ExpectedDCBError): string {
  if (typeof expected === 'string') return JSON.stringify(expected);
  if (expected instanceof RegExp) return `an error matching ${expected}`;
  return `a ${expected.name}`;
}

/** Decisions a slice is given (Python's `Given`): `.when(slice)` applies them to a slice. */
export class DCBSpecificationGiven {
  /** The given decisions. */
  readonly events: readonly Tagged[];

  constructor(events: readonly Tagged[]) {
    this.events = checkTagged(events, 'given()');
  }

  /** The slice with the given decisions applied (see `DCBSpecificationWhen`). */
  when<S extends Slice>(slice: S): DCBSpecificationWhen<S> {
    return new DCBSpecificationWhen(this.events, slice);
  }
}

/** A slice waiting for the decisions it is given (`when(slice).given(...)`). */
export class DCBSpecificationWhenSlice<S extends Slice> {
  /** The slice under test. */
  readonly slice: S;

  constructor(slice: S) {
    this.slice = slice;
  }

  /** The slice with these decisions applied (see `DCBSpecificationWhen`). */
  given(...events: Tagged[]): DCBSpecificationWhen<S> {
    return new DCBSpecificationWhen(events, this.slice);
  }
}

/**
 * Given/when/then for DCB slices, without a database (Python's `eventsourcing.dcb.gwt`):
 * `await given(...decisions).when(slice).then(...expectedDecisions)` or
 * `.thenThrows(ErrorClassOrMessage)`. The given decisions must be ones the slice's
 * consistency boundary selects; they are applied, the slice executes, and what it decided is
 * compared, in order, with what was expected.
 *
 * @example
 * ```ts no-run
 * await given(new Tagged(['course:c1'], CourseDefined.create({ courseId: 'c1', capacity: 10 })))
 *   .when(new DefineCourse('c1', 15))
 *   .thenThrows('Course with id "c1" already exists');
 * ```
 */
export function given(...events: Tagged[]): DCBSpecificationGiven {
  return new DCBSpecificationGiven(events);
}

/** `when(slice).given(...decisions).then(...)`: the same as `given(...).when(slice)`. */
export function when<S extends Slice>(slice: S): DCBSpecificationWhenSlice<S> {
  return new DCBSpecificationWhenSlice(slice);
}
