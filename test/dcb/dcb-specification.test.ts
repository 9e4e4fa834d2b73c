// The given/when/then helper for DCB slices: its messages say which decision differs.

import { AssertionError } from 'node:assert';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decision, event, Selector, Slice, Tagged } from '../../src/dcb/index.js';
import { given, when } from '../../src/testing/dcb-specification.js';

class Seated extends Decision {
  declare readonly seat: number;
}
class Unrelated extends Decision {}

class TakeSeat extends Slice {
  taken: number[] = [];
  constructor(readonly seat: number) {
    super();
  }
  override get cb(): Selector {
    return new Selector({ types: [Seated], tags: ['hall'] });
  }
  @event(Seated)
  seated(seat: number): void {
    this.taken.push(seat);
  }
  override execute(): void {
    if (this.taken.includes(this.seat)) throw new RangeError(`Seat ${this.seat} is taken`);
    this.triggerEvent(Seated, { seat: this.seat }, { tags: ['hall', `seat:${this.seat}`] });
  }
}

const seated = (seat: number, tags = ['hall', `seat:${seat}`]) =>
  new Tagged(tags, Seated.create({ seat }));

async function failsWith(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(
    promise,
    (e: Error) => e instanceof AssertionError && message.test(e.message),
  );
}

describe('DCB given/when/then', () => {
  it('passes when the slice decides exactly the expected decisions, resolving to the slice', async () => {
    const slice = await given(seated(1)).when(new TakeSeat(2)).then(seated(2));
    assert.deepEqual(slice.taken, [1, 2]);
  });

  it('takes the given decisions after the slice too', async () => {
    await when(new TakeSeat(2)).given(seated(1)).then(seated(2));
  });

  it('says how many decisions were expected and decided', async () => {
    await failsWith(given().when(new TakeSeat(1)).then(), /^Expected 0 events, got 1/);
  });

  it('says which decision differs', async () => {
    await failsWith(
      given().when(new TakeSeat(1)).then(seated(3)),
      /^Event 0 decision mismatch: expected Seated \{ seat: 3 \}/,
    );
  });

  it('says which tags differ', async () => {
    await failsWith(
      given()
        .when(new TakeSeat(1))
        .then(seated(1, ['hall'])),
      /^Event 0 tags mismatch/,
    );
  });

  it("refuses given decisions the slice's boundary would not have selected", () => {
    assert.throws(
      () => given(new Tagged(['hall'], Unrelated.create({}))).when(new TakeSeat(1)),
      (e: Error) =>
        e instanceof AssertionError &&
        /^Consistency boundary wouldn't have selected: Unrelated/.test(e.message),
    );
  });

  it('takes any given decision for a slice whose boundary is empty (it selects every one)', async () => {
    class CountAll extends Slice {
      count = 0;
      override get cb(): Selector[] {
        return [];
      }
      @event(Unrelated)
      unrelated(): void {
        this.count++;
      }
      @event(Seated)
      seated(): void {
        this.count++;
      }
    }
    const slice = await given(new Tagged(['x'], Unrelated.create({})), seated(1))
      .when(new CountAll())
      .then();
    assert.equal(slice.count, 2);
  });

  it('checks the error by class, exact message or pattern', async () => {
    const spec = () => given(seated(1)).when(new TakeSeat(1));
    assert.ok((await spec().thenThrows(RangeError)) instanceof RangeError);
    await spec().thenThrows('Seat 1 is taken');
    await spec().thenThrows(/taken/);
    await failsWith(spec().thenThrows('Seat 2 is taken'), /threw RangeError: "Seat 1 is taken"/);
  });

  it('fails thenThrows when the slice decides instead, saying what it decided', async () => {
    await failsWith(
      given().when(new TakeSeat(1)).thenThrows(RangeError),
      /but it decided 1 events: Seated/,
    );
  });

  it('rejects, instead of hanging, when the specification itself is awaited', async () => {
    await assert.rejects(
      (async () => await (given().when(new TakeSeat(1)) as unknown as Promise<unknown>))(),
      /is not awaited by itself/,
    );
  });
});
