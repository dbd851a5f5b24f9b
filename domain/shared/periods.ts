import { addDays, companyDay, startOfCompanyDay } from './calendar.js';

/**
 * Reporting periods of the company calendar: a day, an ISO week (Monday to Sunday), a month or a
 * quarter, each beginning at midnight in the company's zone. A figure attributed to an instant
 * falls in the period that holds that instant there, so 31 March 17:00 UTC is April in Beijing.
 */
export const PERIOD_KINDS = ['day', 'week', 'month', 'quarter'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** One period: its key (2026-04-01, 2026-W14, 2026-04, 2026-Q2) and the instants it spans, start included, end excluded. */
export type Period = { readonly kind: PeriodKind; readonly key: string; readonly start: string; readonly end: string };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dayParts = (day: string) => day.split('-').map(Number) as [number, number, number];
/** 0 for Monday .. 6 for Sunday. */
const weekday = (day: string) => (new Date(`${day}T00:00:00.000Z`).getUTCDay() + 6) % 7;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The Monday of ISO week 1 of a year: the week that holds 4 January. */
const firstIsoMonday = (year: number) => {
  const jan4 = `${pad(year, 4)}-01-04`;
  return addDays(jan4, -weekday(jan4));
};

/** The ISO week a Monday starts: its year is the year of that week's Thursday. */
const isoWeekKey = (monday: string) => {
  const [year] = dayParts(addDays(monday, 3));
  return `${pad(year, 4)}-W${pad(daysBetween(firstIsoMonday(year), monday) / 7 + 1)}`;
};

/** The first and the day after the last company day of the period holding `day`. */
const daysOf = (kind: PeriodKind, day: string): { key: string; first: string; next: string } => {
  const [year, month] = dayParts(day);
  switch (kind) {
    case 'day':
      return { key: day, first: day, next: addDays(day, 1) };
    case 'week': {
      const first = addDays(day, -weekday(day));
      return { key: isoWeekKey(first), first, next: addDays(first, 7) };
    }
    case 'month': {
      const next = month === 12 ? `${pad(year + 1, 4)}-01-01` : `${pad(year, 4)}-${pad(month + 1)}-01`;
      return { key: `${pad(year, 4)}-${pad(month)}`, first: `${pad(year, 4)}-${pad(month)}-01`, next };
    }
    case 'quarter': {
      const quarter = Math.floor((month - 1) / 3) + 1;
      const firstMonth = (quarter - 1) * 3 + 1;
      const next = quarter === 4 ? `${pad(year + 1, 4)}-01-01` : `${pad(year, 4)}-${pad(firstMonth + 3)}-01`;
      return { key: `${pad(year, 4)}-Q${quarter}`, first: `${pad(year, 4)}-${pad(firstMonth)}-01`, next };
    }
  }
};

const periodOfDay = (kind: PeriodKind, day: string): Period => {
  const { key, first, next } = daysOf(kind, day);
  return { kind, key, start: startOfCompanyDay(first), end: startOfCompanyDay(next) };
};

/** The period of this kind that holds the instant, in the company's zone. */
export const periodOf = (kind: PeriodKind, instant: string): Period => periodOfDay(kind, companyDay(instant));

/** The period after this one. */
export const nextPeriod = (period: Period): Period => periodOf(period.kind, period.end);

/** The periods of this kind overlapping [from, to), or undefined when there are more than `max`: a huge range is judged without listing it. */
export const periodsWithin = (kind: PeriodKind, from: string, to: string, max: number): Period[] | undefined => {
  const periods: Period[] = [];
  const end = Date.parse(to);
  for (let period = periodOf(kind, from); Date.parse(period.start) < end; period = nextPeriod(period)) {
    if (periods.length === max) return undefined;
    periods.push(period);
  }
  return periods;
};

const KEY_PATTERNS: ReadonlyArray<[PeriodKind, RegExp]> = [
  ['quarter', /^(\d{4})-Q([1-4])$/],
  ['week', /^(\d{4})-W(\d{2})$/],
  ['month', /^(\d{4})-(\d{2})$/],
  ['day', /^(\d{4})-(\d{2})-(\d{2})$/],
];

/** The period a key names (2026-Q2, 2026-W14, 2026-04, 2026-04-01); undefined for a key that names none. */
export const periodOfKey = (key: string): Period | undefined => {
  for (const [kind, pattern] of KEY_PATTERNS) {
    const match = pattern.exec(key);
    if (!match) continue;
    const year = Number(match[1]);
    const day = (() => {
      switch (kind) {
        case 'quarter':
          return `${match[1]}-${pad((Number(match[2]) - 1) * 3 + 1)}-01`;
        case 'month':
          return `${match[1]}-${match[2]}-01`;
        case 'day':
          return key;
        case 'week':
          return addDays(firstIsoMonday(year), (Number(match[2]) - 1) * 7);
      }
    })();
    if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) return undefined;
    const period = periodOfDay(kind, day);
    return period.key === key ? period : undefined;
  }
  return undefined;
};
