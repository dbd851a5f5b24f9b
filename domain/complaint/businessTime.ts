import { addDays, companyDay, instantOfCompanyTime, startOfCompanyDay } from '../shared/calendar.js';

/**
 * Service-level time (articles 7, 18, 29): how much of a stretch counts on a complaint's clock, and
 * when a clock with some time left runs out. A clock counts either every minute (round the clock)
 * or only the working hours of a business calendar, a day of which is a day of the company's
 * calendar (Asia/Shanghai). Pure arithmetic on instants, so a replay reaches the same due times.
 */

/** Working hours of one stretch of a day, HH:MM in the company's zone; `to` may be 24:00. */
export type WorkingHours = { readonly from: string; readonly to: string };

/**
 * When a service desk works: the weekdays (ISO, 1 Monday to 7 Sunday) and their hours, the
 * public holidays it is closed, and the days it works though they fall on a weekend (a day
 * swapped for a holiday, as the public calendar in China does).
 */
export type BusinessCalendar = {
  readonly weekdays: readonly number[];
  readonly hours: readonly WorkingHours[];
  readonly holidays: readonly string[];
  readonly workingDays: readonly string[];
};

/** A clock's way of counting: the working hours of a calendar, or null for every minute. */
export type Counting = BusinessCalendar | null;

/** A stretch during which a clock ran: from an instant until another, or still running. */
export type Run = { readonly from: string; readonly to?: string };

export const MINUTE_MS = 60_000;

/**
 * How far ahead a clock looks for working time before it gives up on a calendar: ten years of
 * days. The policy refuses a calendar without working hours, so this only guards a replay.
 */
const DAYS_SEARCHED = 3_660;

const epoch = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The ISO weekday of a calendar day: 1 Monday to 7 Sunday. */
export const weekdayOf = (day: string): number => {
  const sundayFirst = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  return sundayFirst === 0 ? 7 : sundayFirst;
};

/** Whether the desk works on a day of the company calendar: a working weekday or a swapped working day, never a holiday. */
export const isWorkingDay = (calendar: BusinessCalendar, day: string): boolean =>
  !calendar.holidays.includes(day) && (calendar.workingDays.includes(day) || calendar.weekdays.includes(weekdayOf(day)));

/** The instant a wall-clock time of a day begins, 24:00 being the start of the next day. */
const instantOn = (day: string, time: string) => epoch(time === '24:00' ? startOfCompanyDay(addDays(day, 1)) : instantOfCompanyTime(`${day}T${time}`));

/** The working stretches of a day as [start, end) in epoch milliseconds, earliest first. */
const windowsOf = (calendar: BusinessCalendar, day: string): [number, number][] =>
  isWorkingDay(calendar, day) ? calendar.hours.map(({ from, to }) => [instantOn(day, from), instantOn(day, to)]) : [];

const minutesOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * A whole day's working time, read off the wall clock: a day between the first and the last of a
 * stretch counts in full, so only those two need instants, and a long stretch costs a few
 * microseconds a day. (The company's zone keeps no daylight saving; where a zone does, its change
 * falls in the night, outside working hours.)
 */
const workingTimeOf = (calendar: BusinessCalendar, day: string): number =>
  isWorkingDay(calendar, day) ? calendar.hours.reduce((total, { from, to }) => total + (minutesOfDay(to) - minutesOfDay(from)) * MINUTE_MS, 0) : 0;

/** The working time of a day between two instants. */
const overlapOn = (calendar: BusinessCalendar, day: string, start: number, end: number): number =>
  windowsOf(calendar, day).reduce((total, [opens, closes]) => total + Math.max(0, Math.min(closes, end) - Math.max(opens, start)), 0);

/** Milliseconds of counted time between two instants: all of it round the clock, only working hours on a calendar. */
export const countedBetween = (counting: Counting, from: string, to: string): number => {
  const start = epoch(from);
  const end = epoch(to);
  if (!(end > start)) return 0;
  if (!counting) return end - start;
  const firstDay = companyDay(from);
  const lastDay = companyDay(to);
  if (firstDay === lastDay) return overlapOn(counting, firstDay, start, end);
  let total = overlapOn(counting, firstDay, start, end) + overlapOn(counting, lastDay, start, end);
  for (let day = addDays(firstDay, 1); day < lastDay; day = addDays(day, 1)) total += workingTimeOf(counting, day);
  return total;
};

/** The instant by which `amount` milliseconds of counted time have passed since `from`: on a calendar, always inside working hours. */
export const afterCounted = (counting: Counting, from: string, amount: number): string => {
  const start = epoch(from);
  if (amount <= 0) return iso(start);
  if (!counting) return iso(start + amount);
  let left = amount;
  let day = companyDay(from);
  for (let searched = 0; searched < DAYS_SEARCHED; searched += 1, day = addDays(day, 1)) {
    // A later day the time does not run out in is taken whole, without working out its instants.
    if (searched > 0 && left > workingTimeOf(counting, day)) {
      left -= workingTimeOf(counting, day);
      continue;
    }
    for (const [opens, closes] of windowsOf(counting, day)) {
      const begins = Math.max(opens, start);
      if (begins >= closes) continue;
      if (left <= closes - begins) return iso(begins + left);
      left -= closes - begins;
    }
  }
  throw new Error(`The calendar has too little working time to count ${amount / MINUTE_MS} minutes from ${from}`);
};

/** The counted time a clock has run by `now`: its runs so far, the open one up to now. */
export const elapsedOn = (counting: Counting, runs: readonly Run[], now: string): number =>
  runs.reduce((total, run) => total + countedBetween(counting, run.from, run.to ?? now), 0);

/**
 * When a clock with `target` milliseconds runs out: the instant inside a run where it ran out, or,
 * while its last run is open, where it will. Null while it stands (paused or stopped) with time left.
 */
export const dueOf = (counting: Counting, runs: readonly Run[], target: number): string | null => {
  let left = target;
  for (const run of runs) {
    if (run.to === undefined) return afterCounted(counting, run.from, left);
    const counted = countedBetween(counting, run.from, run.to);
    if (counted >= left) return afterCounted(counting, run.from, left);
    left -= counted;
  }
  return null;
};

/** Whole minutes, rounded down: what a report shows of a clock. */
export const wholeMinutes = (ms: number) => Math.floor(ms / MINUTE_MS);
