import { loadMessages } from './messages.ts';

// Strict ISO 8601 for times people type (--since, --until). Date.parse is far too forgiving for
// a window that decides which conversations are sent or checked: it reads "12/01/2026" in local
// time, rolls "2026-02-30" over to 2 March and treats "2026-12-01T00:00" as local but
// "2026-12-01" as UTC. Here a date alone means midnight UTC, a date-time must carry Z or an
// offset, and anything else is refused with an example of what works.

const messages = loadMessages('iso-time');

// Extended format only: 2026-12-01, 2026-12-01T07:50Z, 2026-12-01T07:50:00.123+01:00.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * The instant `value` names, as a UTC ISO string with milliseconds (2026-12-01T07:50:00.000Z).
 * `name` is how the reader knows the value (a flag name), used only in messages.
 */
export function parseIsoInstant(value: string, name: string): string {
  const text = value.trim();
  const match = ISO.exec(text);
  if (!match) throw notIso(text, name);
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (hour !== undefined && zone === undefined) {
    throw messages.createError(
      'error.MissingTimeZone',
      [name, text],
      [name, text, name, text, name, year + '-' + month + '-' + day]
    );
  }
  const problem =
    dateProblem(Number(year), Number(month), Number(day)) ??
    timeProblem(Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0)) ??
    (zone ? offsetProblem(zone) : undefined);
  if (problem) throw messages.createError('error.ImpossibleDate', [name, text, problem], [name, name]);

  const utc = new Date(0);
  utc.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  utc.setUTCHours(Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), millis(fraction));
  return new Date(utc.getTime() - offsetMinutes(zone) * 60_000).toISOString();
}

export interface TimeWindowInput {
  since: { name: string; value: string };
  until?: { name: string; value: string };
}

/**
 * A [since, until) window of past closes. `until` stays undefined when not given: callers decide
 * what an open end means (now, or the end a resumed run saved).
 */
export function parseTimeWindow(
  input: TimeWindowInput,
  now: number = Date.now()
): { since: string; until: string | undefined } {
  const since = parseIsoInstant(input.since.value, input.since.name);
  const until = input.until ? parseIsoInstant(input.until.value, input.until.name) : undefined;
  if (Date.parse(since) > now) {
    const dayAgo = new Date(now - 24 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    throw messages.createError(
      'error.SinceInFuture',
      [input.since.name, since, new Date(now).toISOString()],
      [input.since.name, dayAgo]
    );
  }
  if (until !== undefined && since >= until) {
    throw messages.createError(
      'error.EmptyWindow',
      [input.since.name, since, input.until!.name, until],
      [input.until!.name]
    );
  }
  return { since, until };
}

function notIso(text: string, name: string): Error {
  const slashed = SLASHED.exec(text);
  if (slashed) {
    const [, first, second, year] = slashed;
    const monthFirst = isoDate(Number(year), Number(first), Number(second));
    const dayFirst = isoDate(Number(year), Number(second), Number(first));
    if (monthFirst && dayFirst && monthFirst !== dayFirst) {
      return messages.createError('error.AmbiguousDate', [name, text], [name, monthFirst, name, dayFirst]);
    }
  }
  return messages.createError('error.NotIsoTime', [name, text], [name, name, name]);
}

function isoDate(year: number, month: number, day: number): string | undefined {
  if (dateProblem(year, month, day)) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
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
  'December'
];

function dateProblem(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12) return messages.getMessage('problem.month', [String(month).padStart(2, '0')]);
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
  if (day < 1 || day > days)
    return messages.getMessage('problem.day', [`${MONTHS[month - 1]} ${year}`, days]);
  return undefined;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function timeProblem(hour: number, minute: number, second: number): string | undefined {
  if (hour > 23) return messages.getMessage('problem.hour');
  if (minute > 59) return messages.getMessage('problem.minute');
  // Leap seconds (:60) cannot be represented by a JavaScript Date, and SOQL refuses them too.
  if (second > 59) return messages.getMessage('problem.second');
  return undefined;
}

function offsetProblem(zone: string): string | undefined {
  if (/^[Zz]$/.test(zone)) return undefined;
  const [, hours, minutes] = /^[+-](\d{2}):?(\d{2})?$/.exec(zone)!;
  if (Number(hours) > 23 || Number(minutes ?? 0) > 59) return messages.getMessage('problem.offset', [zone]);
  return undefined;
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^[Zz]$/.test(zone)) return 0;
  const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes ?? 0));
}

/** ".5" -> 500 ms; digits past milliseconds are dropped (SOQL and Date stop there). */
function millis(fraction: string | undefined): number {
  return fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
}
