import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDatetimeISO, parseDatetimeISO } from '../../src/persistence/datetime-iso.js';

describe('formatDatetimeISO', () => {
  it('writes UTC with microseconds and +00:00, as Python does', () => {
    assert.equal(
      formatDatetimeISO(new Date('2024-02-07T15:32:51.123Z')),
      '2024-02-07T15:32:51.123000+00:00',
    );
    assert.equal(
      formatDatetimeISO(new Date('0001-01-01T00:00:00Z')),
      '0001-01-01T00:00:00.000000+00:00',
    );
  });

  it('rejects invalid dates and years Python cannot hold', () => {
    assert.throws(() => formatDatetimeISO(new Date(Number.NaN)), RangeError);
    assert.throws(() => formatDatetimeISO(new Date('+010000-01-01T00:00:00Z')), /years 1 to 9999/);
  });
});

describe('parseDatetimeISO', () => {
  const cases: [string, string][] = [
    ['2024-02-07T15:32:51.123456+00:00', '2024-02-07T15:32:51.123Z'],
    ['2024-02-07T15:32:51.1+00:00', '2024-02-07T15:32:51.100Z'],
    ['2024-02-07T15:32:51Z', '2024-02-07T15:32:51.000Z'],
    ['2024-02-07 15:32:51.999999-05:30', '2024-02-07T21:02:51.999Z'],
    ['2024-02-07T15:32:51+0130', '2024-02-07T14:02:51.000Z'],
    ['2024-02-07T15:32', '2024-02-07T15:32:00.000Z'],
    ['2024-02-07T15:32:51,5', '2024-02-07T15:32:51.500Z'],
    ['0050-06-01T00:00:00+00:00', '0050-06-01T00:00:00.000Z'],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${input}`, () => {
      assert.equal(parseDatetimeISO(input).toISOString(), expected);
    });
  }

  it('round-trips with formatDatetimeISO', () => {
    const date = new Date('1999-12-31T23:59:59.999Z');
    assert.equal(parseDatetimeISO(formatDatetimeISO(date)).getTime(), date.getTime());
  });

  it('rejects text that is not an ISO-8601 date-time, or has fields out of range', () => {
    for (const bad of [
      '',
      'yesterday',
      '2024-02-07',
      '2024-13-01T00:00:00Z',
      '2024-01-01T25:00:00Z',
      '2024-01-01T00:00:00+25',
    ]) {
      assert.throws(() => parseDatetimeISO(bad), RangeError, bad);
    }
    assert.throws(() => parseDatetimeISO(42 as unknown as string), RangeError);
  });

  it('reads its own format exactly, for any date, and truncates microseconds', () => {
    for (let i = 0; i < 1000; i++) {
      const date = new Date(Math.floor(Math.random() * 253402300799999));
      if (date.getUTCFullYear() < 1) continue;
      assert.equal(parseDatetimeISO(formatDatetimeISO(date)).getTime(), date.getTime());
    }
    assert.equal(
      parseDatetimeISO('2024-02-07T15:32:51.123999+00:00').toISOString(),
      '2024-02-07T15:32:51.123Z',
    );
    assert.equal(
      parseDatetimeISO('0050-06-01T00:00:00.000000+00:00').toISOString(),
      '0050-06-01T00:00:00.000Z',
    );
  });

  it('rejects days that do not exist rather than rolling over', () => {
    for (const bad of ['2023-02-29T00:00:00.000000+00:00', '2024-04-31T12:00:00Z']) {
      assert.throws(() => parseDatetimeISO(bad), /no such day/, bad);
    }
    assert.equal(parseDatetimeISO('2024-02-29T00:00:00.000000+00:00').getUTCDate(), 29);
  });

  it('hands out a new Date each time, even for text it has just read', () => {
    const text = '2024-02-07T15:32:51.123000+00:00';
    const first = parseDatetimeISO(text);
    const second = parseDatetimeISO(text);
    assert.notEqual(first, second);
    first.setTime(0);
    assert.equal(parseDatetimeISO(text).toISOString(), '2024-02-07T15:32:51.123Z');
    const date = new Date('2001-02-03T04:05:06.007Z');
    assert.equal(formatDatetimeISO(date), '2001-02-03T04:05:06.007000+00:00');
    assert.equal(formatDatetimeISO(date), '2001-02-03T04:05:06.007000+00:00');
    assert.equal(
      formatDatetimeISO(new Date('0001-01-01T00:00:00.000Z')),
      '0001-01-01T00:00:00.000000+00:00',
    );
  });
});
