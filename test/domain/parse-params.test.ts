import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParameterParseError } from '../../src/domain/parameter-parse-error.js';
import {
  parseConstructorParameters,
  parseFunctionParameters,
} from '../../src/domain/parse-params.js';

const KEY = 'computed(x)';

describe('parseFunctionParameters', () => {
  test('reads names, skipping defaults, comments, strings, templates and regexes', () => {
    class Sample {
      plain(a: number, b: string): void {
        void [a, b];
      }
      defaults(a = '(,)', b = `x${'),'}y`, c = /[),]/g, d = { e: [1, 2] }, f = (1 + 2) * 3): void {
        void [a, b, c, d, f];
      }
      // biome-ignore format: keeps the comments in the parameter list.
      commented(/* first */ a: number, // second
        b: number): void {
        void [a, b];
      }
      set value(v: number) {
        void v;
      }
      none(): void {}
      [KEY](k: string): void {
        void k;
      }
      async later(ms: number): Promise<void> {
        void ms;
      }
    }
    const proto = Sample.prototype as unknown as Record<string, (...args: never[]) => unknown>;
    assert.deepEqual(parseFunctionParameters(proto.plain as never), ['a', 'b']);
    assert.deepEqual(parseFunctionParameters(proto.defaults as never), ['a', 'b', 'c', 'd', 'f']);
    assert.deepEqual(parseFunctionParameters(proto.commented as never), ['a', 'b']);
    const setter = Object.getOwnPropertyDescriptor(Sample.prototype, 'value')?.set;
    assert.deepEqual(parseFunctionParameters(setter as never), ['v']);
    assert.deepEqual(parseFunctionParameters(proto.none as never), []);
    assert.deepEqual(parseFunctionParameters(proto[KEY] as never), ['k']);
    assert.deepEqual(parseFunctionParameters(proto.later as never), ['ms']);
    assert.deepEqual(
      parseFunctionParameters(function named(x: number, y = 2) {
        void [x, y];
      }),
      ['x', 'y'],
    );
    assert.deepEqual(parseFunctionParameters(((z: number) => z) as never), ['z']);
  });

  test('rest, destructured and native functions are ParameterParseErrors', () => {
    assert.throws(
      () => parseFunctionParameters(((...xs: number[]) => xs) as never),
      (e: unknown) => e instanceof ParameterParseError && /rest parameter/.test(e.message),
    );
    assert.throws(
      () => parseFunctionParameters((({ a }: { a: number }) => a) as never),
      /destructured parameter/,
    );
    assert.throws(() => parseFunctionParameters((([a]: number[]) => a) as never), /destructured/);
    assert.throws(() => parseFunctionParameters(Math.max as never), /native or bound function/);
    assert.throws(() => parseFunctionParameters((() => {}).bind(null) as never), /native or bound/);
  });
});

describe('parseConstructorParameters', () => {
  test('reads the own constructor, not methods or nested classes', () => {
    class Base {
      constructor(
        readonly a: number,
        readonly b = 'constructor(x)',
      ) {}
      method(n: number): unknown {
        return n ? this.constructor : 'constructor(y)';
      }
    }
    assert.deepEqual(parseConstructorParameters(Base), ['a', 'b']);
    const WithStatic = new Function(`return class WithStatic {
      static constructor(q) { return q; }
      static nested = class { constructor(inner) {} };
      static { void 0; }
      'constructor-ish'(x) {}
      constructor(outer) {}
    }`)() as new () => unknown;
    assert.deepEqual(parseConstructorParameters(WithStatic), ['outer']);
  });

  test('no own constructor, or one that only passes its arguments on, is undefined', () => {
    class Base {
      constructor(readonly a: number) {}
    }
    class NoCtor extends Base {
      x = 1;
    }
    assert.equal(parseConstructorParameters(NoCtor), undefined);
    // What esbuild and tsc emit for a decorated class without a constructor.
    const esbuildStyle = new Function(
      'Base',
      'let _a, _m_dec; return class _D extends(_a=Base,_m_dec=[1],_a){constructor(){super(...arguments);__runInitializers(_init,5,this)}m(a){}}',
    )(Base);
    assert.equal(parseConstructorParameters(esbuildStyle), undefined);
    const tscStyle = new Function(
      'Base',
      `let _classThis; const __esDecorate = () => {};
      return class extends Base {
        static { _classThis = this; }
        static { __esDecorate(this, null, [], { kind: "method", name: "m", access: { has: obj => "m" in obj } }, null, []); }
        constructor() {
            super(...arguments);
            __runInitializers(this, _instanceExtraInitializers);
        }
        m(a) { }
      }`,
    )(Base);
    assert.equal(parseConstructorParameters(tscStyle), undefined);
    const tscWithParams = new Function(
      'Base',
      `const __esDecorate = () => {};
      return class extends Base {
        static { __esDecorate(this, null, [], { kind: "method", name: "m", metadata: { a: (1) } }, null, []); }
        tricks = (__runInitializers(this, _instanceExtraInitializers), []);
        constructor(name, size = 3) { super(); this.name = name; }
      }`,
    )(Base);
    assert.deepEqual(parseConstructorParameters(tscWithParams), ['name', 'size']);
  });

  test('rest parameters and non-class functions are ParameterParseErrors', () => {
    class Rest {
      constructor(...xs: number[]) {
        void xs;
      }
    }
    assert.throws(() => parseConstructorParameters(Rest), /rest parameter/);
    function OldStyle(this: unknown, a: number) {
      void a;
    }
    assert.throws(
      () => parseConstructorParameters(OldStyle as unknown as new () => unknown),
      /not class syntax/,
    );
  });
});
