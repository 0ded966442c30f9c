// Twin's 7-field cron (the Rust `cron` crate's dialect: 1 = Sunday, day fields ANDed) as twinflow checks it
// before sending: what is accepted per field, what is refused and why, when a schedule fires (UTC) and how it
// reads in English.
import { describe, it, expect } from 'vitest';
import {
  describeTwinCron,
  nextFireTimes,
  parseTwinCron,
  validateTwinCron,
} from '../../providers/twin/vocabulary/cron.js';

const FROM = new Date('2026-03-11T12:00:00Z');

function errorOf(expression: string): string {
  const result = validateTwinCron(expression, FROM);
  if (result.ok) throw new Error(`expected "${expression}" to be invalid`);
  return result.error;
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('accepted expressions', () => {
  it.each([
    ['second', '*/15 0 9 * * * *'],
    ['minute', '0 0-30/10 9 * * * *'],
    ['hour', '0 0 9,12,18 * * * *'],
    ['day-of-month', '0 0 9 1-7 * ? *'],
    ['day-of-month ?', '0 0 9 ? * MON *'],
    ['month number', '0 0 9 1 6 ? *'],
    ['month name', '0 0 9 1 jan-mar ? *'],
    ['day-of-week names', '0 0 9 ? * MON-FRI *'],
    ['day-of-week list', '0 0 9 * * sat,SUN *'],
    ['day-of-week numbers, 1 = Sunday', '0 0 9 ? * 2-6 *'],
    ['day-of-week 7 = Saturday', '0 0 9 ? * 7 *'],
    ['day-of-week step', '0 0 9 ? * 1/2 *'],
    ['day-of-month and day-of-week both', '0 0 9 1-7 * MON *'],
    ['year *', '0 0 9 * * * *'],
    ['year value', '0 0 9 * * * 2030'],
    ['year range', '0 0 9 * * * 2026-2030'],
    ['year list', '0 0 9 * * * 2027,2029'],
    ['year step', '0 0 9 * * * 2026/2'],
    ['extra spaces', '  0  0 9 * * *   * '],
  ])('%s: %s', (_label, expression) => {
    expect(validateTwinCron(expression, FROM).ok).toBe(true);
  });
});

describe('refused expressions name the bad field', () => {
  it.each([
    ['0 0 9 * * *', /^expected 7 fields .* got 6$/],
    ['', /got 0$/],
    ['0 0 9 * * * * *', /got 8$/],
    ['60 0 9 * * * *', /^second: 60 is outside 0-59$/],
    ['*/0 0 9 * * * *', /^second: step 0 is outside/],
    ['? 0 9 * * * *', /^second: "\?" is only allowed/],
    ['0 60 9 * * * *', /^minute: 60 is outside 0-59$/],
    ['0 30-10 9 * * * *', /^minute: range "30-10" runs backwards$/],
    ['0 0 24 * * * *', /^hour: 24 is outside 0-23$/],
    ['0 0 9,,12 * * * *', /^hour: "" is not supported/],
    ['0 0 9 0 * ? *', /^day-of-month: 0 is outside 1-31$/],
    ['0 0 9 32 * ? *', /^day-of-month: 32 is outside 1-31$/],
    ['0 0 9 L * ? *', /^day-of-month: "L": L, W, #, H and @ forms are not supported/],
    ['0 0 9 LW * ? *', /^day-of-month: "LW": L, W, #, H and @ forms are not supported/],
    ['0 0 9 L-3 * ? *', /^day-of-month: "L-3": L, W, #, H and @ forms are not supported/],
    ['0 0 9 15W * ? *', /^day-of-month: "15W": L, W, #, H and @ forms are not supported/],
    ['0 H 9 * * ? *', /^minute: "H": L, W, #, H and @ forms are not supported/],
    ['0 H/5 9 * * ? *', /^minute: "H\/5": L, W, #, H and @ forms are not supported/],
    ['@daily', /^"@daily": L, W, #, H and @ forms are not supported.*write all 7 fields/],
    ['0 0 9 31 2,4 ? *', /^day-of-month: none of these days occurs in the chosen months$/],
    ['0 0 9 * 0 * *', /^month: 0 is outside 1-12$/],
    ['0 0 9 * 13 * *', /^month: 13 is outside 1-12$/],
    ['0 0 9 * FOO * *', /^month: "FOO" is not a valid value$/],
    ['0 0 9 ? * 0 *', /^day-of-week: 0 is outside 1-7 \(1 = Sunday … 7 = Saturday, or names SUN-SAT\)$/],
    ['0 0 9 ? * 0-4 *', /^day-of-week: 0 is outside 1-7 \(1 = Sunday … 7 = Saturday/],
    ['0 0 9 ? * 8 *', /^day-of-week: 8 is outside 1-7 \(1 = Sunday … 7 = Saturday/],
    ['0 0 9 ? * MON#1 *', /^day-of-week: "MON#1": L, W, #, H and @ forms are not supported/],
    ['0 0 9 ? * 6L *', /^day-of-week: "6L": L, W, #, H and @ forms are not supported/],
    ['0 0 9 ? * FRIL *', /^day-of-week: "FRIL": L, W, #, H and @ forms are not supported/],
    ['0 0 9 ? * FRI-MON *', /^day-of-week: range "FRI-MON" runs backwards$/],
    ['0 0 9 * * * 1969', /^year: 1969 is outside 1970-2099$/],
    ['0 0 9 * * * 2100', /^year: 2100 is outside 1970-2099$/],
    ['0 0 9 * * * 2030-2026', /^year: range "2030-2026" runs backwards$/],
    ['0 0 9 * * * 20x6', /^year: "20x6" is not a valid value$/],
    ['0 0 9 * * * 2026/0', /^year: step 0 is outside/],
    ['0 0 9 * * * 2020', /^year: the schedule never fires after 2026-03-11T12:00:00.000Z$/],
  ])('%j', (expression, message) => {
    expect(errorOf(expression)).toMatch(message);
  });

  it('throws the same message from parseTwinCron, with the field attached', () => {
    expect(() => parseTwinCron('0 0 24 * * * *')).toThrow(expect.objectContaining({ field: 'hour' }));
  });
});

describe('fire times (UTC)', () => {
  it('are strictly after the start', () => {
    const at9 = new Date('2026-03-11T09:00:00Z');
    expect(iso(nextFireTimes('0 0 9 * * * *', at9, 2))).toEqual([
      '2026-03-12T09:00:00.000Z',
      '2026-03-13T09:00:00.000Z',
    ]);
  });

  it('follow weekday names', () => {
    // 2026-03-13 is a Friday.
    const times = nextFireTimes('0 30 8 ? * FRI,MON *', FROM, 3);
    expect(iso(times)).toEqual([
      '2026-03-13T08:30:00.000Z',
      '2026-03-16T08:30:00.000Z',
      '2026-03-20T08:30:00.000Z',
    ]);
  });

  it('count numeric weekdays from 1 = Sunday', () => {
    // 2026-03-11 is a Wednesday; 2-6 is Monday through Friday.
    expect(iso(nextFireTimes('0 0 9 ? * 2-6 *', FROM, 3))).toEqual([
      '2026-03-12T09:00:00.000Z',
      '2026-03-13T09:00:00.000Z',
      '2026-03-16T09:00:00.000Z',
    ]);
  });

  it('read 7 as Saturday and 1 as Sunday', () => {
    expect(iso(nextFireTimes('0 0 9 ? * 7,1 *', FROM, 2))).toEqual([
      '2026-03-14T09:00:00.000Z',
      '2026-03-15T09:00:00.000Z',
    ]);
  });

  it('need both day-of-month and day-of-week to match when both are restricted', () => {
    expect(iso(nextFireTimes('0 0 9 13 * FRI *', FROM, 3))).toEqual([
      '2026-03-13T09:00:00.000Z',
      '2026-11-13T09:00:00.000Z',
      '2027-08-13T09:00:00.000Z',
    ]);
  });

  it('express "the first Monday of the month" as days 1-7 on a Monday', () => {
    expect(iso(nextFireTimes('0 0 9 1-7 * 2 *', FROM, 3))).toEqual([
      '2026-04-06T09:00:00.000Z',
      '2026-05-04T09:00:00.000Z',
      '2026-06-01T09:00:00.000Z',
    ]);
  });

  it('skip to the first allowed year', () => {
    expect(iso(nextFireTimes('0 0 0 1 1 ? 2028/2', FROM, 2))).toEqual([
      '2028-01-01T00:00:00.000Z',
      '2030-01-01T00:00:00.000Z',
    ]);
  });

  it('end when the years run out', () => {
    expect(nextFireTimes('0 0 0 1 * ? 2026', FROM, 100)).toHaveLength(9);
  });

  it('find February 29 only in leap years', () => {
    expect(iso(nextFireTimes('0 0 0 29 2 ? *', FROM, 2))).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  it('reject a February 29 in a year without one as never firing', () => {
    expect(errorOf('0 0 0 29 2 ? 2027')).toMatch(/^year: the schedule never fires/);
  });

  it('are returned by a successful validation', () => {
    expect(validateTwinCron('0 */5 * * * * *', FROM, 2)).toEqual({
      ok: true,
      next: [new Date('2026-03-11T12:05:00Z'), new Date('2026-03-11T12:10:00Z')],
    });
  });
});

describe('English description', () => {
  it.each([
    ['0 0 9 * * * *', 'at 09:00:00 every day'],
    ['30 15 18 * * * *', 'at 18:15:30 every day'],
    ['* * * * * * *', 'every second'],
    ['*/10 * * * * * *', 'every 10 seconds'],
    ['0 * * * * * *', 'every minute'],
    ['0 */5 * * * * *', 'every 5 minutes'],
    ['0 0 * * * * *', 'at minute 0 of every hour'],
    ['0 0 */2 * * * *', 'at minute 0 of every 2 hours'],
    ['30 * * * * * *', 'at second 30 of every minute'],
    ['0 * 9 * * * *', 'every minute of hour 9 every day'],
    ['0 0,30 9 * * * *', 'at minutes 0 and 30 of hour 9 every day'],
    ['0 0 9-17 ? * MON-FRI *', 'at minute 0 of hours 9 through 17 on Monday through Friday'],
    ['0 30 8 ? * SAT,SUN *', 'at 08:30:00 on Sunday and Saturday'],
    ['0 0 9 ? * 2-6 *', 'at 09:00:00 on Monday through Friday'],
    ['0 0 9 13 * 6 *', 'at 09:00:00 on day 13 of the month, if a Friday'],
    ['0 0 9 1-7 * SAT,SUN *', 'at 09:00:00 on days 1 through 7 of the month, if a Sunday or Saturday'],
    ['0 0 0 1 * ? *', 'at 00:00:00 on day 1 of the month'],
    [
      '0 0 12 1,15 JAN,JUL ? 2027',
      'at 12:00:00 on days 1 and 15 of the month in January and July in year 2027',
    ],
    ['0 0 9 * * * 2026-2028', 'at 09:00:00 in years 2026 through 2028'],
  ])('%s reads "%s"', (expression, text) => {
    expect(describeTwinCron(expression)).toBe(text);
  });

  it('throws for an invalid expression', () => {
    expect(() => describeTwinCron('0 0 25 * * * *')).toThrow('hour: 25 is outside 0-23');
  });
});
