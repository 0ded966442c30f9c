// Twin schedules use a 7-field cron, `sec min hour day-of-month month day-of-week year`, evaluated in UTC.
// A bad expression should fail here, before the HTTP call, with a message naming the field; and people
// should see when it will actually fire. cron-parser computes the fire times of the time and day-of-month
// fields; the day-of-week and year fields are ours, because cron-parser follows POSIX on both.
//
// The dialect is the Rust `cron` crate's, which is Quartz's numbering (Twin runs on Rust):
// - day-of-week counts 1 = Sunday … 7 = Saturday (POSIX counts 0 = Sunday, so 0 is refused rather than
//   silently read one way or the other); names SUN-SAT mean the same everywhere.
// - day-of-month and day-of-week both restricted means BOTH must match: the crate walks the days of the
//   month and skips each whose weekday is not listed (`0 0 9 1-7 * MON *` is the first Monday). POSIX would
//   fire on either, Quartz refuses the combination; we follow the crate.
// - `*`, `?` (day fields only), values, ranges `a-b`, lists `a,b` and steps `/n`.
// Refused, because not every version of the crate (nor every 7-field dialect) has them, so a preview could
// silently differ from what Twin does: `L`, `W`, `#`, `H` and @-macros.
import { CronExpressionParser } from 'cron-parser';

export type CronFieldName = 'second' | 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week' | 'year';

export class TwinCronError extends Error {
  override name = 'TwinCronError';
  constructor(
    readonly field: CronFieldName | 'expression',
    message: string,
  ) {
    super(field === 'expression' ? message : `${field}: ${message}`);
  }
}

interface FieldSpec {
  name: CronFieldName;
  unit: string;
  min: number;
  max: number;
  /** names[i] stands for min + i. */
  names?: readonly string[];
  question: boolean;
  /** Added to an out-of-range message where the numbering itself is the likely mistake. */
  rangeHint?: string;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MAX_YEAR = 2099;

const SECOND: FieldSpec = { name: 'second', unit: 'second', min: 0, max: 59, question: false };
const MINUTE: FieldSpec = { name: 'minute', unit: 'minute', min: 0, max: 59, question: false };
const HOUR: FieldSpec = { name: 'hour', unit: 'hour', min: 0, max: 23, question: false };
const DAY_OF_MONTH: FieldSpec = {
  name: 'day-of-month',
  unit: 'day',
  min: 1,
  max: 31,
  question: true,
};
const MONTH: FieldSpec = {
  name: 'month',
  unit: 'month',
  min: 1,
  max: 12,
  names: MONTHS,
  question: false,
};
const DAY_OF_WEEK: FieldSpec = {
  name: 'day-of-week',
  unit: 'day',
  min: 1,
  max: 7,
  names: WEEKDAYS,
  question: true,
  rangeHint: '1 = Sunday … 7 = Saturday, or names SUN-SAT',
};
const YEAR: FieldSpec = {
  name: 'year',
  unit: 'year',
  min: 1970,
  max: MAX_YEAR,
  question: false,
};

export interface CronField {
  /** Every value of the field is allowed (`*`, `?`, or a list that happens to cover them all). */
  wildcard: boolean;
  /** In the dialect's own numbering: day-of-week 1 = Sunday … 7 = Saturday, month 1 = January. */
  values: number[];
}

export interface TwinCron {
  source: string;
  second: CronField;
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  dayOfWeek: CronField;
  year: CronField;
}

const ITEM = /^(\*|\?|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i;
/** L, LW, L-3, 15W, 5L, FRIL, MON#2, H, H/5, H(0-29): last/weekday/nth/hash forms of Quartz and newer crates. */
const SPECIAL_FORM = /#|^(?:L|LW|WL|L-\d+|\d+[LW]|[a-z]{3,}L|H(?:\(.*\))?(?:\/\d+)?)$/i;
const SYNTAX_HINT = 'use *, values, ranges a-b, lists a,b and steps /n';
const SPECIAL_HINT = `L, W, #, H and @ forms are not supported, as not every cron dialect has them; ${SYNTAX_HINT}`;

function parseValue(spec: FieldSpec, token: string): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) {
      const hint = spec.rangeHint ? ` (${spec.rangeHint})` : '';
      throw new TwinCronError(spec.name, `${value} is outside ${spec.min}-${spec.max}${hint}`);
    }
    return value;
  }
  const index =
    token.length === 3
      ? (spec.names?.findIndex((n) => n.slice(0, 3).toLowerCase() === token.toLowerCase()) ?? -1)
      : -1;
  if (index < 0) throw new TwinCronError(spec.name, `"${token}" is not a valid value`);
  return spec.min + index;
}

function parseItem(spec: FieldSpec, item: string): number[] {
  if (SPECIAL_FORM.test(item)) throw new TwinCronError(spec.name, `"${item}": ${SPECIAL_HINT}`);
  const match = ITEM.exec(item);
  if (!match) throw new TwinCronError(spec.name, `"${item}" is not supported (${SYNTAX_HINT})`);
  const [, base = '', stepText] = match;
  if (base === '?' && !spec.question)
    throw new TwinCronError(spec.name, '"?" is only allowed in day-of-month and day-of-week');
  const step = stepText === undefined ? 1 : Number(stepText);
  if (step < 1 || step > spec.max - spec.min + 1)
    throw new TwinCronError(spec.name, `step ${stepText} is outside 1-${spec.max - spec.min + 1}`);
  const [fromText = '', toText] = base === '*' || base === '?' ? [] : base.split('-');
  const from = fromText ? parseValue(spec, fromText) : spec.min;
  const to =
    toText !== undefined ? parseValue(spec, toText) : fromText && stepText === undefined ? from : spec.max;
  if (to < from) throw new TwinCronError(spec.name, `range "${base}" runs backwards`);
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

function parseField(spec: FieldSpec, text: string): CronField {
  const values = [...new Set(text.split(',').flatMap((item) => parseItem(spec, item)))].sort((a, b) => a - b);
  return { wildcard: values.length === spec.max - spec.min + 1, values };
}

/** Days of February count as 29: a Feb 29 schedule is valid, it just fires in leap years only. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkDays(cron: TwinCron): void {
  const fits = cron.month.values.some((m) =>
    cron.dayOfMonth.values.some((d) => d <= (DAYS_IN_MONTH[m - 1] ?? 0)),
  );
  if (!fits) throw new TwinCronError('day-of-month', 'none of these days occurs in the chosen months');
}

/** Throws TwinCronError naming the first bad field. */
export function parseTwinCron(source: string): TwinCron {
  if (source.trim().startsWith('@')) {
    throw new TwinCronError(
      'expression',
      `"${source.trim()}": ${SPECIAL_HINT}; write all 7 fields, e.g. "0 0 0 * * * *" for every midnight`,
    );
  }
  const texts = source
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0);
  if (texts.length !== 7) {
    throw new TwinCronError(
      'expression',
      `expected 7 fields (sec min hour day-of-month month day-of-week year), got ${texts.length}`,
    );
  }
  const [second = '', minute = '', hour = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = texts;
  const cron: TwinCron = {
    source,
    second: parseField(SECOND, second),
    minute: parseField(MINUTE, minute),
    hour: parseField(HOUR, hour),
    dayOfMonth: parseField(DAY_OF_MONTH, dayOfMonth),
    month: parseField(MONTH, month),
    dayOfWeek: parseField(DAY_OF_WEEK, dayOfWeek),
    year: parseField(YEAR, year),
  };
  checkDays(cron);
  return cron;
}

/** Day-of-week goes as `*`: cron-parser would OR it with day-of-month, the crate ANDs them (fireTimes). */
function sixFields(cron: TwinCron): string {
  const fields = [cron.second, cron.minute, cron.hour, cron.dayOfMonth, cron.month];
  return [...fields.map((f) => (f.wildcard ? '*' : f.values.join(','))), '*'].join(' ');
}

const weekdayOf = (date: Date) => date.getUTCDay() + 1;
/** The last millisecond before a date: cron-parser's next() answers the first fire time after it. */
const justBefore = (year: number, month: number, day: number) => new Date(Date.UTC(year, month, day) - 1);

/** Fire times strictly after `from`, in order; ends when the year field (or 2099) runs out. */
function* fireTimes(cron: TwinCron, from: Date): Generator<Date> {
  const iterator = CronExpressionParser.parse(sixFields(cron), { tz: 'UTC', currentDate: from });
  for (;;) {
    const next = iterator.next().toDate();
    const year = next.getUTCFullYear();
    if (year > MAX_YEAR) return;
    if (!cron.year.values.includes(year)) {
      const nextYear = cron.year.values.find((y) => y > year);
      if (nextYear === undefined) return;
      iterator.reset(justBefore(nextYear, 0, 1));
      continue;
    }
    if (!cron.dayOfWeek.values.includes(weekdayOf(next))) {
      iterator.reset(justBefore(year, next.getUTCMonth(), next.getUTCDate() + 1));
      continue;
    }
    yield next;
  }
}

/** Up to `count` fire times strictly after `from`; fewer when the schedule ends. Throws TwinCronError. */
export function nextFireTimes(expression: string, from: Date, count: number): Date[] {
  const result: Date[] = [];
  if (count <= 0) return result;
  for (const time of fireTimes(parseTwinCron(expression), from)) {
    result.push(time);
    if (result.length >= count) break;
  }
  return result;
}

export type CronValidation = { ok: true; next: Date[] } | { ok: false; error: string };

/** A schedule that can never fire again is as useless to Twin as a malformed one, so it is invalid too. */
export function validateTwinCron(expression: string, from: Date = new Date(), count = 5): CronValidation {
  try {
    const next = nextFireTimes(expression, from, Math.max(1, count));
    if (next.length === 0)
      return { ok: false, error: `year: the schedule never fires after ${from.toISOString()}` };
    return { ok: true, next };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

// ---- Description ----

interface Phrase {
  /** "every …" phrases need no leading "at" and imply their own repetition. */
  every: boolean;
  text: string;
}

function joinWords(words: string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

/** Consecutive runs of three or more read as "a through b". */
function runsText(values: number[], label: (v: number) => string, conjunction: 'and' | 'or' = 'and'): string {
  const words: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] ?? 0) + 1) j++;
    const [first = 0, last = 0] = [values[i], values[j]];
    if (j - i >= 2) words.push(`${label(first)} through ${label(last)}`);
    else for (let k = i; k <= j; k++) words.push(label(values[k] ?? 0));
    i = j + 1;
  }
  return joinWords(words, conjunction);
}

function stepOf(values: number[]): number | undefined {
  const [a = 0, b = 0] = values;
  const step = b - a;
  if (values.length < 3 || step < 2) return undefined;
  return values.every((v, i) => v === a + i * step) ? step : undefined;
}

function numericPhrase(spec: FieldSpec, field: CronField): Phrase {
  const { unit } = spec;
  if (field.wildcard) return { every: true, text: `every ${unit}` };
  const { values } = field;
  const [first = 0] = values;
  if (values.length === 1) return { every: false, text: `${unit} ${first}` };
  const step = stepOf(values);
  if (step === undefined) return { every: false, text: `${unit}s ${runsText(values, String)}` };
  const span = spec.max - spec.min + 1;
  if (first === spec.min && span % step === 0 && values.length === span / step)
    return { every: true, text: `every ${step} ${unit}s` };
  return { every: true, text: `every ${step} ${unit}s from ${first} through ${values.at(-1)}` };
}

const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');

/** Second 0 goes unsaid ("at minute 5" means its first second); wildcards above the highest set field
 *  collapse into one "of every <unit>". */
function timeText(cron: TwinCron): string {
  const { second, minute, hour } = cron;
  if ([second, minute, hour].every((f) => f.values.length === 1)) {
    return `at ${pad(hour.values[0])}:${pad(minute.values[0])}:${pad(second.values[0])}`;
  }
  const secondZero = second.values.length === 1 && second.values[0] === 0;
  const levels = [
    { spec: SECOND, field: second },
    { spec: MINUTE, field: minute },
    { spec: HOUR, field: hour },
  ].slice(secondZero ? 1 : 0);
  const top = levels.map((l) => !l.field.wildcard).lastIndexOf(true);
  const phrases = levels.slice(0, Math.max(top, 0) + 1).map((l) => numericPhrase(l.spec, l.field));
  const text = phrases.map((p) => p.text).join(' of ');
  const prefixed = phrases[0]?.every ? text : `at ${text}`;
  const above = levels[top + 1];
  return above && !phrases.at(-1)?.every ? `${prefixed} of every ${above.spec.unit}` : prefixed;
}

const weekdayName = (v: number) => WEEKDAYS[v - 1] ?? '';

/** Both day fields restricted read as a condition ("on day 13 of the month, if a Friday"): both must match. */
function dayTexts(cron: TwinCron): string[] {
  const { dayOfMonth, dayOfWeek } = cron;
  const monthDays = `on ${numericPhrase(DAY_OF_MONTH, dayOfMonth).text} of the month`;
  if (dayOfWeek.wildcard) return dayOfMonth.wildcard ? [] : [monthDays];
  if (dayOfMonth.wildcard) return [`on ${runsText(dayOfWeek.values, weekdayName)}`];
  return [`${monthDays}, if a ${runsText(dayOfWeek.values, weekdayName, 'or')}`];
}

function dateTexts(cron: TwinCron): string[] {
  const texts = dayTexts(cron);
  if (!cron.month.wildcard) texts.push(`in ${runsText(cron.month.values, (v) => MONTHS[v - 1] ?? '')}`);
  if (!cron.year.wildcard) texts.push(`in ${numericPhrase(YEAR, cron.year).text}`);
  return texts;
}

/** Short English, e.g. "at 09:00:00 every day", "every 5 minutes", "at minute 0 of every hour on Monday
 *  through Friday", "at 09:00:00 on days 1 through 7 of the month, if a Monday". Times are UTC.
 *  Throws TwinCronError for an invalid expression. */
export function describeTwinCron(expression: string): string {
  const cron = parseTwinCron(expression);
  const dates = dateTexts(cron);
  const specificHours = !numericPhrase(HOUR, cron.hour).every;
  if (dates.length === 0 && specificHours) dates.push('every day');
  return [timeText(cron), ...dates].join(' ');
}
