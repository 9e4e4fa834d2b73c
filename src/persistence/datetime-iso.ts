/**
 * Dates in the Python library's `datetime_iso` form. Writes exactly
 * `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (UTC, microseconds = milliseconds × 1000), which is what
 * Python's `datetime.isoformat()` writes for an aware UTC datetime. Reads any ISO-8601 date-time:
 * with `Z` or an offset, with any number of fraction digits (truncated to milliseconds), with a
 * `T` or a space; a date-time without an offset is taken as UTC, as Python's events are.
 */

// Groups: year, month, day, hour, minute, second, fraction, zone (Z or ±HH[:MM[:SS[.f]]]).
const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d+)?)?)?)?$/;
const OFFSET = /^([+-])(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.(\d+))?)?)?$/;

// Events recorded in the same millisecond share their timestamp text: one remembered entry
// saves formatting it again.
let lastFormattedTime = Number.NaN;
let lastFormatted = '';

/** Formats a date as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`; an invalid date or a year outside 1–9999 is a RangeError. */
export function formatDatetimeISO(date: Date): string {
  const time = date.getTime();
  if (time === lastFormattedTime) return lastFormatted;
  // Timestamps written together mostly share their hour: its text is remembered, and only the
  // minutes, seconds and milliseconds are formatted.
  const inHour = time - formattedHourTime;
  if (!(inHour >= 0 && inHour < HOUR_MS)) {
    const year = date.getUTCFullYear();
    if (Number.isNaN(time) || year < 1 || year > 9999) {
      throw new RangeError(
        `Cannot encode ${Number.isNaN(time) ? 'an invalid Date' : `the Date ${date.toISOString()}`}: ` +
          'datetime_iso stores years 1 to 9999 (as Python does).',
      );
    }
    formattedHourTime = time - (((time % HOUR_MS) + HOUR_MS) % HOUR_MS);
    formattedHour =
      `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T` +
      `${pad(date.getUTCHours(), 2)}:`;
    return formatDatetimeISO(date);
  }
  const millis = inHour % 1000;
  const seconds = (inHour - millis) / 1000;
  const text =
    formattedHour +
    TWO_DIGITS[Math.trunc(seconds / 60)] +
    ':' +
    TWO_DIGITS[seconds % 60] +
    '.' +
    THREE_DIGITS[millis] +
    '000+00:00';
  lastFormattedTime = time;
  lastFormatted = text;
  return text;
}

const HOUR_MS = 3_600_000;
let formattedHourTime = Number.NaN;
let formattedHour = '';
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad(i, 2));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => pad(i, 3));

function pad(value: number, width: number): string {
  const text = String(value);
  return text.length >= width ? text : '0000'.slice(0, width - text.length) + text;
}

/** Parses an ISO-8601 date-time (see the module comment); anything else is a RangeError. */
export function parseDatetimeISO(text: string): Date {
  if (typeof text === 'string' && text.length === 32) {
    const date = parseOwnFormat(text, 0);
    if (date !== null) return date;
  }
  return parseGeneral(text);
}

/**
 * `parseDatetimeISO(text.slice(start, end))` without making the slice in the common case (the
 * JSON reader parses timestamps where they stand in the event's text).
 */
export function parseDatetimeISOIn(text: string, start: number, end: number): Date {
  if (end - start === 32) {
    const date = parseOwnFormat(text, start);
    if (date !== null) return date;
  }
  return parseGeneral(text.slice(start, end));
}

function parseGeneral(text: string): Date {
  const m = typeof text === 'string' ? ISO_DATETIME.exec(text) : null;
  if (m === null) {
    throw new RangeError(`Invalid ISO-8601 date-time: ${JSON.stringify(text)}`);
  }
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // Date.UTC would silently roll over out-of-range fields (month 13 becomes January).
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new RangeError(
      `Invalid ISO-8601 date-time (a field is out of range): ${JSON.stringify(text)}`,
    );
  }
  const fraction = m[7];
  const ms = fraction === undefined ? 0 : Number(`${fraction}00`.slice(0, 3));
  const year = Number(m[1]);
  let time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year < 100) {
    // Date.UTC reads years 0 to 99 as 1900 to 1999.
    const date = new Date(time);
    date.setUTCFullYear(year);
    time = date.getTime();
  }
  if (new Date(time).getUTCDate() !== day) {
    throw new RangeError(`Invalid ISO-8601 date-time (no such day): ${JSON.stringify(text)}`);
  }
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const o = OFFSET.exec(zone);
    if (o === null || Number(o[2]) > 23 || Number(o[3] ?? 0) > 59 || Number(o[4] ?? 0) > 59) {
      throw new RangeError(`Invalid ISO-8601 offset in ${JSON.stringify(text)}`);
    }
    const seconds =
      Number(o[2]) * 3600 + Number(o[3] ?? 0) * 60 + Number(o[4] ?? 0) + Number(`0.${o[5] ?? 0}`);
    time -= (o[1] === '-' ? -1 : 1) * Math.trunc(seconds * 1000);
  }
  return new Date(time);
}

/**
 * Reads exactly what `formatDatetimeISO` writes (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, the common
 * case on read), the 32 characters from `at`, by character codes, which is several times faster
 * than a regular expression and `Date.parse`; returns null for anything else, which the general
 * parser then handles.
 */
function parseOwnFormat(text: string, at: number): Date | null {
  if (
    text.charCodeAt(at + 4) !== 45 || // -
    text.charCodeAt(at + 7) !== 45 ||
    text.charCodeAt(at + 10) !== 84 || // T
    text.charCodeAt(at + 13) !== 58 || // :
    text.charCodeAt(at + 16) !== 58 ||
    text.charCodeAt(at + 19) !== 46 || // .
    text.charCodeAt(at + 26) !== 43 || // +
    text.charCodeAt(at + 27) !== 48 || // 0
    text.charCodeAt(at + 28) !== 48 ||
    text.charCodeAt(at + 29) !== 58 ||
    text.charCodeAt(at + 30) !== 48 ||
    text.charCodeAt(at + 31) !== 48
  ) {
    return null;
  }
  const year = twoDigits(text, at) * 100 + twoDigits(text, at + 2);
  const month = twoDigits(text, at + 5);
  const day = twoDigits(text, at + 8);
  const hour = twoDigits(text, at + 11);
  const minute = twoDigits(text, at + 14);
  const second = twoDigits(text, at + 17);
  const millis = twoDigits(text, at + 20) * 10 + digit(text, at + 22);
  const micros = twoDigits(text, at + 23) * 10 + digit(text, at + 25);
  if (
    year < 100 || // Date.UTC reads years 0 to 99 as 1900 to 1999: leave those to the general parser.
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    millis < 0 ||
    micros < 0
  ) {
    return null;
  }
  // Timestamps read together mostly share their hour: the last hour's start is remembered.
  const hourKey = ((year * 100 + month) * 100 + day) * 100 + hour;
  if (hourKey !== lastHourKey) {
    const time = Date.UTC(year, month - 1, day, hour);
    // Date.UTC rolls a day past the month's end over into the next month: reject that here.
    if (new Date(time).getUTCDate() !== day) return null;
    lastHourKey = hourKey;
    lastHourTime = time;
  }
  return new Date(lastHourTime + minute * 60_000 + second * 1000 + millis);
}

let lastHourKey = -1;
let lastHourTime = 0;

/** The two-digit number at `at`, or a negative number if either is not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1000;
}

/** The digit at `at`, or a negative number if it is not one. */
function digit(text: string, at: number): number {
  const value = text.charCodeAt(at) - 48;
  return value >= 0 && value <= 9 ? value : -1000;
}
