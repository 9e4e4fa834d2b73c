import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Aggregate,
  type AggregateCreated,
  AggregateEvent,
  aggregate,
  event,
  getTopic,
  registerAggregate,
  resolveTopic,
  TopicError,
} from '../../src/domain/index.js';

/** Folds events into an aggregate, as the repository does. */
function replay<A>(events: readonly { mutate(a: A | null): A | null }[]): A {
  let current: A | null = null;
  for (const e of events) current = e.mutate(current);
  assert.ok(current !== null);
  return current;
}

/** The own enumerable fields of an event, without the attributes every event has. */
function fieldsOf(e: object): Record<string, unknown> {
  const {
    originatorId: _i,
    originatorVersion: _v,
    timestamp: _t,
    originatorTopic: _o,
    ...rest
  } = e as Record<string, unknown>;
  return rest;
}

/**
 * Applies `@aggregate(...)` to a class made from source text, as a bundle would define it, with
 * the decorator context the TC39 proposal gives (initializers run once the class is defined).
 */
function decorateFromSource(
  decorator: (value: never, context: ClassDecoratorContext) => unknown,
  source: string,
  name: string,
): unknown {
  const cls = new Function('J', `return ${source}`)(Aggregate) as abstract new () => Aggregate;
  const initializers: (() => void)[] = [];
  const context = {
    kind: 'class',
    name,
    metadata: {},
    addInitializer: (fn: () => void) => initializers.push(fn),
  } as unknown as ClassDecoratorContext;
  const result = decorator(cls as never, context) as { call?: unknown };
  for (const fn of initializers) fn.call(result);
  return result;
}

describe('stated names on @aggregate and @event', () => {
  test('stated field names and aggregate name are stored instead of the parameter and class names', () => {
    @aggregate('Registered', { name: 'StatedDog', fields: ['name'] })
    class D extends Aggregate {
      n: string;
      tricks: string[] = [];
      constructor(n: string) {
        super();
        this.n = n;
      }

      @event('TrickAdded', { fields: ['trick'] })
      t(x: string): void {
        this.tricks.push(x);
      }
    }
    const dog = new D('Fido');
    dog.t('sit');
    const events = dog.collectEvents();
    assert.deepEqual(fieldsOf(events[0] as object), { name: 'Fido' });
    assert.deepEqual(fieldsOf(events[1] as object), { trick: 'sit' });
    assert.equal(D.name, 'StatedDog');
    assert.equal(getTopic(D), 'StatedDog');
    assert.equal(getTopic((events[0] as object).constructor), 'StatedDog.Registered');
    assert.equal(getTopic((events[1] as object).constructor), 'StatedDog.TrickAdded');
    assert.equal((events[0] as AggregateCreated).originatorTopic, 'StatedDog');
    const copy = replay<D>(events as never);
    assert.equal(copy.n, 'Fido');
    assert.deepEqual(copy.tricks, ['sit']);
    assert.equal(resolveTopic('StatedDog'), D);
  });

  test('options alone: @aggregate({ name, fields }) names the created event Created, @event({ fields }) after the method', () => {
    @aggregate({ name: 'OptionsOnly', fields: ['title'] })
    class B extends Aggregate {
      title: string;
      pages = 0;
      constructor(t: string) {
        super();
        this.title = t;
      }

      @event({ fields: ['count'] })
      addPages(c: number): void {
        this.pages += c;
      }
    }
    const book = new B('Dune');
    book.addPages(3);
    const [created, added] = book.collectEvents();
    assert.equal(getTopic((created as object).constructor), 'OptionsOnly.Created');
    assert.equal(getTopic((added as object).constructor), 'OptionsOnly.AddPages');
    assert.deepEqual(fieldsOf(added as object), { count: 3 });
    assert.equal(replay<B>([created, added] as never).pages, 3);
  });

  test('a stated id field is the aggregate id, and stated fields may replace unreadable parameters', () => {
    @aggregate('Opened', { name: 'StatedAccount', fields: ['id', 'owner'] })
    class Account extends Aggregate {
      owner: string;
      limits: { daily: number } = { daily: 0 };
      constructor(i: string, o: string) {
        super();
        void i;
        this.owner = o;
      }

      @event('LimitsSet', { fields: ['limits'] })
      setLimits({ daily }: { daily: number }): void {
        this.limits = { daily };
      }
    }
    const id = crypto.randomUUID();
    const account = new Account(id, 'ada');
    account.setLimits({ daily: 5 });
    assert.equal(account.id, id);
    const events = account.collectEvents();
    assert.deepEqual(fieldsOf(events[0] as object), { owner: 'ada' });
    assert.deepEqual(fieldsOf(events[1] as object), { limits: { daily: 5 } });
    assert.deepEqual(replay<Account>(events as never).limits, { daily: 5 });
  });

  test('a subclass without its own constructor inherits the stated fields', () => {
    @aggregate('Made', { name: 'StatedBase', fields: ['label'] })
    class Base extends Aggregate {
      label: string;
      constructor(l: string) {
        super();
        this.label = l;
      }
    }
    @aggregate('Made', { name: 'StatedChild' })
    class Child extends Base {}
    const [created] = new Child('x').collectEvents();
    assert.deepEqual(fieldsOf(created as object), { label: 'x' });
  });

  test('bad options are TypeErrors that say what to give', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => aggregate('R', { fields: 'name' as never }), /'fields' must be an array/],
      [() => aggregate('R', { name: '' }), /'name' option must be a non-empty string/],
      [() => aggregate('R', { nme: 'Dog' } as never), /no option 'nme'.*\{ name, fields \}/],
      [() => event('E', { field: ['x'] } as never), /no option 'field'.*fields/],
      [() => event('E', 'x' as never), /second argument is options/],
      [() => event(['trick'] as never), /takes an event class name/],
    ];
    for (const [fn, message] of cases) assert.throws(fn, { name: 'TypeError', message });
    const define = (fields: unknown) => () => {
      @aggregate('R', { name: `Bad${String(fields)}`, fields: fields as string[] })
      class C extends Aggregate {
        constructor(a: string) {
          super();
          void a;
        }
      }
      return C;
    };
    assert.throws(define(['a', 'b']), {
      name: 'TypeError',
      message: /names 2 field\(s\) \(a, b\) but the function has 1 parameter/,
    });
    assert.throws(define(['']), { message: /must be a non-empty string/ });
    assert.throws(define(['originatorId']), { message: /'originatorId' cannot be a field name/ });
    assert.throws(
      () => {
        @aggregate('R', { name: 'BadEventFields' })
        class C extends Aggregate {
          @event('E', { fields: ['a', 'a'] })
          m(a: string, b: string): void {
            void [a, b];
          }
        }
        return C;
      },
      { name: 'TypeError', message: /'a' is given twice/ },
    );
  });
});

describe('names renamed by a minifier are errors at definition time', () => {
  test('classes written by people with one-letter names still work without stated names', () => {
    // tsx prints compact code too: one-letter names alone must not be taken as minified.
    @aggregate('Made')
    class P extends Aggregate {
      a: string;
      b: number[] = [];
      constructor(a: string) {
        super();
        this.a = a;
      }

      @event('Pushed')
      p(b: number): void {
        this.b.push(b);
      }
    }
    const p = new P('x');
    p.p(1);
    const events = p.collectEvents();
    assert.deepEqual(fieldsOf(events[0] as object), { a: 'x' });
    assert.deepEqual(fieldsOf(events[1] as object), { b: 1 });
    assert.equal(getTopic(P), 'P');
  });

  test('minified constructor parameters without stated fields are a TypeError naming the fix', () => {
    assert.throws(
      () =>
        decorateFromSource(
          aggregate('Registered'),
          'class extends J{constructor(e){super(),this.name=e}}',
          'Dog',
        ),
      {
        name: 'TypeError',
        message:
          /@aggregate on Dog: the constructor's parameter names \(e\) look chosen by a minifier.*--keep-names.*keep_classnames.*does not keep parameter names.*@aggregate\('Registered', \{ name: 'Dog', fields: \['field1'\] \}\)/,
      },
    );
  });

  test('minified method parameters without stated fields are a TypeError naming the fix', () => {
    const source =
      'class extends J{tricks=[];constructor(){super()}addTrick(e){this.tricks.push(e)}}';
    const cls = new Function('J', `return ${source}`)(Aggregate) as {
      prototype: { addTrick: (...a: never[]) => unknown };
    };
    const member = cls.prototype.addTrick;
    const wrapped = (event('TrickAdded') as (v: unknown, c: unknown) => unknown)(member, {
      kind: 'method',
      name: 'addTrick',
      static: false,
      private: false,
    });
    Object.defineProperty(cls.prototype, 'addTrick', { value: wrapped });
    assert.throws(
      () => {
        const initializers: (() => void)[] = [];
        const context = {
          kind: 'class',
          name: 'MinifiedDog',
          addInitializer: (fn: () => void) => initializers.push(fn),
        };
        (aggregate('Registered') as (v: unknown, c: unknown) => unknown)(cls, context);
      },
      {
        name: 'TypeError',
        message:
          /@event on MinifiedDog.addTrick: the parameter names \(e\) look chosen by a minifier.*@event\('TrickAdded', \{ fields: \['field1'\] \}\)/,
      },
    );
  });

  test('a minified class name without a stated name is a TypeError; stated names pass', () => {
    const source = 'class Ab extends J{constructor(e){super(),this.name=e}}';
    const fieldsOnly = aggregate('Registered', { fields: ['name'] });
    assert.throws(() => decorateFromSource(fieldsOnly, source, 'Ab'), {
      name: 'TypeError',
      message: /the class name 'Ab' looks chosen by a minifier.*\{ name: 'Dog' \}/,
    });
    const Sub = decorateFromSource(
      aggregate('Registered', { name: 'MinifiedButStated', fields: ['name'] }),
      source,
      'Ab',
    ) as new (
      name: string,
    ) => Aggregate;
    const [created] = new Sub('Fido').collectEvents();
    assert.deepEqual(fieldsOf(created as object), { name: 'Fido' });
    assert.equal(getTopic(Sub), 'MinifiedButStated');
  });

  test('a name kept by esbuild --keep-names is not taken as minified', () => {
    const source = 'class Xy extends J{static{Object.defineProperty(this,"name",{value:"Xy"})}}';
    const cls = new Function('J', `return ${source}`)(Aggregate) as object;
    // The marker esbuild adds is `(this,"Xy")`; a class without it but with the same shape fails.
    const kept = new Function('J', 'n', 'return class Xy extends J{static{n(this,"Xy")}}')(
      Aggregate,
      (c: object, v: string) => Object.defineProperty(c, 'name', { value: v }),
    ) as abstract new () => Aggregate;
    assert.equal(registerAggregate(kept), 'Xy');
    assert.throws(() => registerAggregate(cls as never), {
      name: 'TopicError',
      message: /class 'Xy': its name looks chosen by a minifier.*static topic/,
    });
  });

  test('minified explicit event classes need a static topic', () => {
    const Minified = new Function('J', 'return class t extends J.Event{}')(Aggregate) as {
      name: string;
    };
    assert.throws(() => getTopic(Minified), TopicError);
    const WithTopic = new Function('J', 'return class t extends J.Event{static topic="Kept"}')(
      Aggregate,
    ) as object;
    assert.equal(getTopic(WithTopic), 'Kept');
    assert.ok(AggregateEvent.prototype instanceof Object);
  });
});
