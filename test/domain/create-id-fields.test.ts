// createAggregate (Python's _create) passes the created event's fields to createId by parameter
// name: a name that picks no field is an error, never an id made of undefined values.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Aggregate, createAggregate } from '../../src/domain/aggregate.js';
import { registerAggregate } from '../../src/domain/register-aggregate.js';
import { NAMESPACE_URL, uuid5 } from '../../src/domain/uuid.js';

describe('createId with the fields of the created event', () => {
  test('a createId parameter that names no field is a TypeError naming it and the fields', () => {
    class Vehicle extends Aggregate {
      static Registered = class Registered extends Aggregate.Created {
        declare readonly licencePlate: string;
      };
      static override createId(plate: string): string {
        return uuid5(NAMESPACE_URL, plate);
      }
    }
    registerAggregate(Vehicle);
    assert.throws(() => createAggregate(Vehicle, Vehicle.Registered, { licencePlate: 'AB12' }), {
      name: 'TypeError',
      message:
        /Vehicle\.createId takes 'plate', which the created event has no field for \(its fields: licencePlate\)/,
    });
  });

  test('createId parameters renamed by a minifier are a TypeError saying what to do', () => {
    /** The type of the minified class's created event. */
    class RegisteredShape extends Aggregate.Created {
      declare readonly licencePlate: string;
    }
    // What esbuild --minify makes of a class like Vehicle above: one line, one-letter names.
    const make = new Function(
      'a',
      'u',
      'n',
      'return class o extends a{static topic="MinifiedVehicle";static Registered=class extends a.Created{};static createId(e){return u(n,e)}}',
    ) as (
      a: typeof Aggregate,
      u: typeof uuid5,
      n: string,
    ) => typeof Aggregate & {
      Registered: typeof RegisteredShape;
    };
    const Minified = make(Aggregate, uuid5, NAMESPACE_URL);
    registerAggregate(Minified);
    assert.throws(() => createAggregate(Minified, Minified.Registered, { licencePlate: 'AB12' }), {
      name: 'TypeError',
      message: /parameters of o\.createId \(e\) look renamed by a minifier.*Pass 'id'/,
    });
    // With the id given, nothing needs createId's parameter names.
    const id = uuid5(NAMESPACE_URL, 'AB12');
    assert.equal(
      createAggregate(Minified, Minified.Registered, { id, licencePlate: 'AB12' }).id,
      id,
    );
  });
});
