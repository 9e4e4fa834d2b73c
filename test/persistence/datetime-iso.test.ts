import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatDatetimeISO,
  parseDatetimeISO,
  parseDatetimeISOIn,
} from '../../src/persistence/datetime-iso.js';

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

  it('reads timestamps in the same hour, and then in other hours, exactly', () => {
    // The start of the last hour read is remembered: every minute, second and fraction must
    // still be read from the text, and a new hour must not reuse the remembered one.
    const base = Date.UTC(2026, 10, 22, 15);
    for (const offset of [0, 59_999, 61_001, 3_599_999, 3_600_000, -1, 86_400_000, -86_400_000]) {
      const date = new Date(base + offset);
      assert.equal(parseDatetimeISO(formatDatetimeISO(date)).getTime(), date.getTime());
    }
    parseDatetimeISO('2026-11-22T15:00:00.000000+00:00');
    for (const bad of ['2026-11-22T15:60:00.000000+00:00', '2026-11-22T15:00:60.000000+00:00']) {
      assert.throws(() => parseDatetimeISO(bad), RangeError, bad);
    }
  });

  it('writes every date as toISOString does, in microseconds, before and after 1970', () => {
    const min = Date.UTC(1, 0, 1);
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const times = [min, max, -1, 0, 1, -3_600_000, -3_600_001, 3_599_999, 3_600_000];
    for (let i = 0; i < 2000; i++) {
      const time = Math.floor(min + Math.random() * (max - min));
      // Neighbours in the same hour and across its end, as events written together are.
      times.push(time, time + 1, time + 59_999, time + 3_600_000);
    }
    for (const time of times) {
      if (time > max) continue;
      const date = new Date(time);
      const expected = date.toISOString().replace('Z', '000+00:00');
      assert.equal(formatDatetimeISO(date), expected.length === 32 ? expected : 'unexpected');
      assert.equal(parseDatetimeISO(expected).getTime(), time);
    }
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

describe('parseDatetimeISOIn', () => {
  it('reads a date-time where it stands in a longer text, as parseDatetimeISO reads the slice', () => {
    const inner = [
      '2026-11-22T15:41:18.940123+00:00',
      '2026-11-22T16:00:00.000000+00:00',
      '2024-02-07 15:32:51.999999-05:30',
      '2024-02-07T15:32:51Z',
      '0050-06-01T00:00:00.000000+00:00',
    ];
    for (const date of inner) {
      const text = `{"_data_":"${date}"},"next":"2000-01-01T00:00:00.000000+00:00"`;
      const start = text.indexOf(date);
      assert.equal(
        parseDatetimeISOIn(text, start, start + date.length).getTime(),
        parseDatetimeISO(date).getTime(),
        date,
      );
    }
  });

  it('rejects what parseDatetimeISO rejects, naming only the slice', () => {
    const text = 'xx2026-11-22T15:60:00.000000+00:00yy';
    assert.throws(
      () => parseDatetimeISOIn(text, 2, text.length - 2),
      (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /"2026-11-22T15:60:00.000000\+00:00"/);
        return true;
      },
    );
  });
});
