import assert, { AssertionError } from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggregate, aggregate, event } from '../../src/domain/index.js';
import type { DomainEventLike } from '../../src/domain/protocols.js';
import { getTopic } from '../../src/domain/topics.js';
import { MemoryTrackingRecorder } from '../../src/memory/index.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { Projection } from '../../src/projection/index.js';
import { SQLiteTrackingRecorder, type SqliteDatabase } from '../../src/sqlite/index.js';
import { projectionSpecification } from '../../src/testing/index.js';

@aggregate('Registered')
class SpecDog extends Aggregate {
  static readonly topic = 'spec:SpecDog';
  tricks: string[] = [];

  constructor(readonly dogName: string) {
    super();
  }

  @event('TrickAdded')
  addTrick(trick: string): void {
    this.tricks.push(trick);
  }
}

/** The events of a dog registered with these tricks, oldest first. */
function dogEvents(...tricks: string[]): DomainEventLike[] {
  const dog = new SpecDog('Fido');
  for (const trick of tricks) dog.addTrick(trick);
  return dog.collectEvents();
}

type TrickAdded = DomainEventLike & { readonly trick: string };

const isTrick = (e: DomainEventLike): e is TrickAdded =>
  typeof (e as TrickAdded).trick === 'string';

/** A memory view: a count per trick, and an unguarded command that forgets the tracking. */
class TrickCounts extends MemoryTrackingRecorder {
  private readonly counts = new Map<string, number>();

  increment(trick: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      if (trick === 'explode') throw new RangeError('dogs do not explode');
      this.counts.set(trick, (this.counts.get(trick) ?? 0) + 1);
    });
  }

  async incrementUnguarded(trick: string): Promise<void> {
    this.counts.set(trick, (this.counts.get(trick) ?? 0) + 1);
  }

  /** Changes first, checks the tracking after: memory has no rollback. */
  async incrementThenTrack(trick: string, tracking: Tracking): Promise<void> {
    this.counts.set(trick, (this.counts.get(trick) ?? 0) + 1);
    await this.insertTracking(tracking);
  }

  async count(trick: string): Promise<number> {
    return this.counts.get(trick) ?? 0;
  }
}

class CountTricks extends Projection<TrickCounts> {
  async processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    if (isTrick(domainEvent)) await this.view.increment(domainEvent.trick, tracking);
  }
}

class CountTricksUnguarded extends Projection<TrickCounts> {
  async processEvent(domainEvent: DomainEventLike): Promise<void> {
    if (isTrick(domainEvent)) await this.view.incrementUnguarded(domainEvent.trick);
  }
}

class CountTricksThenTrack extends Projection<TrickCounts> {
  async processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    if (isTrick(domainEvent)) await this.view.incrementThenTrack(domainEvent.trick, tracking);
  }
}

const spec = () => projectionSpecification(CountTricks, () => new TrickCounts());

describe('projectionSpecification', () => {
  it('passes a projection that records each change with its tracking, and shows the view', async () => {
    const [registered, ...tricks] = dogEvents('sit', 'roll', 'sit');
    await spec()
      .given(registered!, tricks[0]!)
      .when(tricks[1]!, tricks[2]!)
      .then(async (view) => {
        assert.equal(await view.count('sit'), 2);
        assert.equal(await view.count('roll'), 1);
        assert.equal(await view.maxTrackingId('upstream'), 4);
      });
  });

  it('records the tracking of events the projection ignores, as a runner does', async () => {
    const view = await spec()
      .given(...dogEvents())
      .when(...dogEvents('sit'));
    assert.equal(await view.maxTrackingId('upstream'), 3);
    assert.equal(await view.count('sit'), 1);
  });

  it('takes aggregates, whose new events it collects, and an application name', async () => {
    const dog = new SpecDog('Rex');
    dog.addTrick('beg');
    const view = await projectionSpecification(CountTricks, () => new TrickCounts(), {
      applicationName: 'DogSchool',
    }).when(dog);
    assert.equal(dog.pendingEvents.length, 0);
    assert.equal(await view.count('beg'), 1);
    assert.equal(await view.maxTrackingId('DogSchool'), 2);
    assert.equal(await view.maxTrackingId('upstream'), null);
  });

  it('runs again on a new view each time, with the events of aggregates collected once', async () => {
    const dog = new SpecDog('Rex');
    dog.addTrick('beg');
    const specification = spec().when(dog);
    const first = await specification;
    const second = await specification;
    assert.notEqual(first, second);
    assert.equal(await second.count('beg'), 1);
    assert.equal(await second.maxTrackingId('upstream'), 2);
  });

  it('catches a projection that applies a repeated event again, saying which', async () => {
    const [registered, sit, roll] = dogEvents('sit', 'roll');
    const run = projectionSpecification(CountTricksUnguarded, () => new TrickCounts())
      .given(registered!, sit!)
      .when(roll!)
      .then(() => assert.fail('the assertion must not run'));
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof AssertionError);
      assert.match(error.message, /when event spec:SpecDog\.TrickAdded/);
      assert.match(error.message, /version 3, tracking upstream 3\) was applied twice/);
      assert.match(error.message, /without an IntegrityError/);
      return true;
    });
  });

  it('catches a view that changes before it checks the tracking, though it then throws an IntegrityError', async () => {
    const run = projectionSpecification(CountTricksThenTrack, () => new TrickCounts()).when(
      ...dogEvents('sit'),
    );
    await assert.rejects(run.then(), (error: unknown) => {
      assert.ok(error instanceof AssertionError);
      assert.match(error.message, /tracking upstream 2\) was applied twice/);
      assert.match(error.message, /then threw IntegrityError/);
      assert.ok(error.cause instanceof IntegrityError);
      return true;
    });
  });

  it('fails when a repeated event throws something else than an IntegrityError', async () => {
    class Picky extends Projection<TrickCounts> {
      private readonly seen = new Set<number>();
      async processEvent(_event: DomainEventLike, tracking: Tracking): Promise<void> {
        if (this.seen.has(tracking.notificationId)) throw new TypeError('seen it');
        this.seen.add(tracking.notificationId);
      }
    }
    const run = projectionSpecification(Picky, () => new TrickCounts()).when(...dogEvents());
    await assert.rejects(
      run.then(),
      /delivered again with the same tracking, threw TypeError: seen it instead of an IntegrityError/,
    );
  });

  it("delivers only the events of the projection's topics, recording the tracking of the others", async () => {
    const delivered: number[] = [];
    class OnlyTricks extends Projection<TrickCounts> {
      static override topics = ['spec:SpecDog.TrickAdded'];
      async processEvent(_event: DomainEventLike, tracking: Tracking): Promise<void> {
        delivered.push(tracking.notificationId);
      }
    }
    const events = dogEvents('sit', 'roll');
    assert.equal(getTopic(events[1]!.constructor), 'spec:SpecDog.TrickAdded');
    const view = await projectionSpecification(OnlyTricks, () => new TrickCounts()).when(...events);
    assert.deepEqual(delivered, [2, 2, 3, 3]);
    assert.equal(await view.maxTrackingId('upstream'), 3);
  });

  it('rejects with the error of a failing when event, naming the event', async () => {
    await assert.rejects(
      spec()
        .when(...dogEvents('explode'))
        .then(),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /^The when event spec:SpecDog\.TrickAdded .* failed: RangeError: dogs do not explode/,
        );
        assert.ok(error.cause instanceof RangeError);
        return true;
      },
    );
  });

  describe('thenThrows', () => {
    it('resolves to the error of a when event, matched by class or predicate', async () => {
      const events = dogEvents('sit', 'explode');
      const error = await spec()
        .when(...events)
        .thenThrows(RangeError);
      assert.ok(error instanceof RangeError);
      await spec()
        .when(...events)
        .thenThrows((e) => e instanceof Error && e.message === 'dogs do not explode');
    });

    it('fails when every event is processed, or another error is thrown, or a given event fails', async () => {
      await assert.rejects(
        spec()
          .when(...dogEvents('sit'))
          .thenThrows(RangeError),
        /Expected processing the when events to throw a RangeError, but all 2 were processed/,
      );
      await assert.rejects(
        spec()
          .when(...dogEvents('explode'))
          .thenThrows(TypeError),
        (error: unknown) => {
          assert.ok(error instanceof AssertionError);
          assert.match(error.message, /Expected a TypeError from a when event, but The when event/);
          assert.ok(error.cause instanceof RangeError);
          return true;
        },
      );
      await assert.rejects(
        spec()
          .given(...dogEvents('explode'))
          .thenThrows(RangeError),
        /but The given event spec:SpecDog\.TrickAdded .* failed/,
      );
    });

    it('still fails a projection that applies a repeated event twice before the error', async () => {
      const [registered, sit] = dogEvents('sit');
      const bad = dogEvents('explode')[1]!;
      await assert.rejects(
        projectionSpecification(CountTricksUnguarded, () => new TrickCounts())
          .when(registered!, sit!, bad)
          .thenThrows(RangeError),
        /tracking upstream 2\) was applied twice/,
      );
    });
  });

  describe('a projection with processBatch', () => {
    const batches: number[][] = [];
    class BatchCounts extends TrickCounts {
      addBatch(tricks: string[], tracking: Tracking, guarded: boolean): Promise<void> {
        const apply = () => {
          for (const trick of tricks) this.incrementUnguarded(trick);
        };
        if (!guarded) return Promise.resolve(apply());
        return this.transaction(tracking, apply);
      }
    }
    const batchProjection = (guarded: boolean) =>
      class extends Projection<BatchCounts> {
        async processEvent(): Promise<void> {
          throw new Error('processEvent must not be called when processBatch is defined');
        }
        override async processBatch(
          items: ReadonlyArray<readonly [DomainEventLike, Tracking]>,
          tracking: Tracking,
        ): Promise<void> {
          batches.push(items.map(([, t]) => t.notificationId));
          const tricks = items.map(([e]) => e).filter(isTrick);
          await this.view.addBatch(
            tricks.map((e) => e.trick),
            tracking,
            guarded,
          );
        }
      };

    it('gets the given events as one batch and the when events as another, delivered twice', async () => {
      const view = await projectionSpecification(batchProjection(true), () => new BatchCounts())
        .given(...dogEvents('sit'))
        .when(...dogEvents('sit', 'roll'));
      assert.deepEqual(batches, [
        [1, 2],
        [3, 4, 5],
        [3, 4, 5],
      ]);
      assert.equal(await view.count('sit'), 2);
      assert.equal(await view.maxTrackingId('upstream'), 5);
    });

    it('catches a batch applied twice', async () => {
      await assert.rejects(
        projectionSpecification(batchProjection(false), () => new BatchCounts())
          .when(...dogEvents('sit'))
          .then(),
        /The batch of when events with tracking 1–2 was applied twice/,
      );
    });
  });

  describe('a view whose data is not in its fields', () => {
    class SqliteCounts extends SQLiteTrackingRecorder {
      override createTableStatements(): string[] {
        return ['CREATE TABLE IF NOT EXISTS counts (trick TEXT PRIMARY KEY, n INTEGER)'];
      }
      private add(db: SqliteDatabase, trick: string): void {
        db.prepare(
          'INSERT INTO counts VALUES (?, 1) ON CONFLICT (trick) DO UPDATE SET n = n + 1',
        ).run(trick);
      }
      increment(trick: string, tracking: Tracking): Promise<void> {
        return this.transaction(tracking, (db) => this.add(db, trick));
      }
      async incrementUnguarded(trick: string): Promise<void> {
        await this.ready();
        this.add(this.conn!.db, trick);
      }
      async rows(): Promise<unknown[]> {
        await this.ready();
        return this.conn!.db.prepare('SELECT * FROM counts ORDER BY trick').all();
      }
    }
    const sqliteProjection = (guarded: boolean) =>
      class extends Projection<SqliteCounts> {
        async processEvent(e: DomainEventLike, tracking: Tracking): Promise<void> {
          if (!isTrick(e)) return;
          if (guarded) await this.view.increment(e.trick, tracking);
          else await this.view.incrementUnguarded(e.trick);
        }
      };

    it('compares the state the option returns', async () => {
      const options = { state: (view: SqliteCounts) => view.rows() };
      const rows = await projectionSpecification(
        sqliteProjection(true),
        () => new SqliteCounts(':memory:'),
        options,
      )
        .when(...dogEvents('sit', 'sit'))
        .then((view) => view.rows());
      assert.deepEqual(rows, [{ trick: 'sit', n: 2 }]);
      await assert.rejects(
        projectionSpecification(
          sqliteProjection(false),
          () => new SqliteCounts(':memory:'),
          options,
        )
          .when(...dogEvents('sit'))
          .then(),
        /tracking upstream 2\) was applied twice/,
      );
    });
  });
});
