/**
 * One behaviour suite for every dog school (Emmett-style: the behaviour is written once as a
 * table, and each modelling style is plugged in). Each row says what is done, then what the
 * school must tell and record; `runDogSchoolBehaviour(style)` checks every row against a style.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AggregateNotFoundError, type Application } from 'eventsourcing/application';
import type { AggregateLike, ProjectorFunction } from 'eventsourcing/domain';

/** What every example's application offers. */
export interface DogSchoolApp extends Application {
  registerDog(name: string): Promise<string>;
  addTrick(dogId: string, trick: string): Promise<void>;
  getDog(dogId: string): Promise<{ readonly name: string; readonly tricks: readonly string[] }>;
}

/** A modelling style, plugged into the behaviour suite. */
export interface Style {
  readonly name: string;
  /** Makes a new application (each has its own in-memory storage). */
  create(): DogSchoolApp;
  /** The projector its repository needs, if events cannot apply themselves. */
  readonly projector?: (aggregate: never, events: Iterable<never>) => unknown;
  /** Its topics: `${topicPrefix}Dog.Registered`, `${topicPrefix}Dog.TrickAdded`. */
  readonly topicPrefix: string;
}

/** A step of a behaviour; dogs are referred to by name. */
type Step =
  | { readonly register: string }
  | { readonly teach: string; readonly trick: string }
  | { readonly snapshot: string };

/** A row of the behaviour table. */
interface Behaviour {
  readonly title: string;
  readonly when: readonly Step[];
  /** Each dog, by name: its tricks as `getDog` returns them, and its version. */
  readonly dogs: Readonly<Record<string, { tricks: string[]; version: number }>>;
  /** The notification log, as `<dog> <event>` in the order recorded (snapshots are not in it). */
  readonly log: readonly string[];
  /** The versions at which each dog has snapshots. */
  readonly snapshots?: Readonly<Record<string, number[]>>;
}

export const behaviours: readonly Behaviour[] = [
  {
    title: 'a registered dog has its name and no tricks',
    when: [{ register: 'Fido' }],
    dogs: { Fido: { tricks: [], version: 1 } },
    log: ['Fido Registered'],
  },
  {
    title: 'tricks are kept in the order they were taught',
    when: [
      { register: 'Fido' },
      { teach: 'Fido', trick: 'roll over' },
      { teach: 'Fido', trick: 'play dead' },
    ],
    dogs: { Fido: { tricks: ['roll over', 'play dead'], version: 3 } },
    log: ['Fido Registered', 'Fido TrickAdded', 'Fido TrickAdded'],
  },
  {
    title: 'dogs are independent of each other',
    when: [
      { register: 'Fido' },
      { register: 'Buster' },
      { teach: 'Fido', trick: 'roll over' },
      { teach: 'Buster', trick: 'fetch' },
      { teach: 'Fido', trick: 'play dead' },
    ],
    dogs: {
      Fido: { tricks: ['roll over', 'play dead'], version: 3 },
      Buster: { tricks: ['fetch'], version: 2 },
    },
    log: [
      'Fido Registered',
      'Buster Registered',
      'Fido TrickAdded',
      'Buster TrickAdded',
      'Fido TrickAdded',
    ],
  },
  {
    title: 'a snapshot changes nothing that can be seen, and later tricks follow it',
    when: [
      { register: 'Fido' },
      { teach: 'Fido', trick: 'roll over' },
      { teach: 'Fido', trick: 'play dead' },
      { snapshot: 'Fido' },
      { teach: 'Fido', trick: 'fetch ball' },
    ],
    dogs: { Fido: { tricks: ['roll over', 'play dead', 'fetch ball'], version: 4 } },
    log: ['Fido Registered', 'Fido TrickAdded', 'Fido TrickAdded', 'Fido TrickAdded'],
    snapshots: { Fido: [3] },
  },
  {
    title: 'a dog can be got from its snapshot alone',
    when: [{ register: 'Fido' }, { teach: 'Fido', trick: 'sit' }, { snapshot: 'Fido' }],
    dogs: { Fido: { tricks: ['sit'], version: 2 } },
    log: ['Fido Registered', 'Fido TrickAdded'],
    snapshots: { Fido: [2] },
  },
];

/** The style's projector, typed for what the suite reads: ids and versions. */
function projectorOf(style: Style): ProjectorFunction<AggregateLike, never> | undefined {
  return style.projector as ProjectorFunction<AggregateLike, never> | undefined;
}

async function perform(app: DogSchoolApp, style: Style, steps: readonly Step[]) {
  const ids = new Map<string, string>();
  const idOf = (name: string): string => {
    const id = ids.get(name);
    assert.ok(id !== undefined, `the behaviour registers ${name} first`);
    return id;
  };
  for (const step of steps) {
    if ('register' in step) ids.set(step.register, await app.registerDog(step.register));
    else if ('teach' in step) await app.addTrick(idOf(step.teach), step.trick);
    else await app.takeSnapshot(idOf(step.snapshot), { projector: projectorOf(style) });
  }
  return ids;
}

/** Checks every behaviour of the table, and the errors every school shares, against a style. */
export function runDogSchoolBehaviour(style: Style): void {
  describe(`dog school behaviour: ${style.name}`, () => {
    for (const behaviour of behaviours) {
      test(behaviour.title, async () => {
        await using app = style.create();
        const ids = await perform(app, style, behaviour.when);
        const names = new Map([...ids].map(([name, id]) => [id, name]));

        for (const [name, expected] of Object.entries(behaviour.dogs)) {
          const id = ids.get(name) as string;
          assert.deepEqual(await app.getDog(id), { name, tricks: expected.tricks });
          const dog = await app.repository.get(id, { projector: projectorOf(style) });
          assert.deepEqual([dog.id, dog.version], [id, expected.version]);
        }

        const log = await app.notificationLog.select(1, 10);
        assert.deepEqual(
          log.map((n) => n.topic),
          behaviour.log.map((entry) => `${style.topicPrefix}Dog.${entry.split(' ')[1]}`),
        );
        assert.deepEqual(
          log.map((n) => `${names.get(n.originatorId)} ${n.topic.split('.').at(-1)}`),
          behaviour.log,
        );
        assert.deepEqual(
          log.map((n) => n.id),
          behaviour.log.map((_, i) => i + 1),
        );

        for (const name of ids.keys()) {
          const snapshots = (await app.snapshots?.get(ids.get(name) as string)) ?? [];
          assert.deepEqual(
            snapshots.map((s) => s.originatorVersion),
            behaviour.snapshots?.[name] ?? [],
          );
        }
      });
    }

    test('an unknown dog is not found, by queries and by commands', async () => {
      await using app = style.create();
      const unknown = '00000000-0000-4000-8000-000000000000';
      await assert.rejects(app.getDog(unknown), AggregateNotFoundError);
      await assert.rejects(app.addTrick(unknown, 'sit'), AggregateNotFoundError);
      assert.deepEqual(await app.notificationLog.select(1, 10), []);
    });
  });
}
