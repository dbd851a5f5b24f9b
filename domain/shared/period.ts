import { z } from 'zod';
import { startOfCompanyDay } from './calendar.js';

/**
 * A period a target or an incentive is measured over: a calendar month ("2026-11"), quarter
 * ("2026-Q4") or year ("2026") of the company calendar. Its days are the company's days
 * (Asia/Shanghai, `calendar.ts`), so November ends at midnight in Beijing wherever the
 * statement is computed.
 */
export const PERIOD_PATTERN = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/;

export const Period = z.string().regex(PERIOD_PATTERN, 'a month (2026-11), a quarter (2026-Q4) or a year (2026)');
export type Period = z.infer<typeof Period>;

export type PeriodKind = 'month' | 'quarter' | 'year';

/** A period's days: from its first (inclusive) to the first day after it (exclusive), and the same as UTC instants. */
export type PeriodBounds = { readonly kind: PeriodKind; readonly firstDay: string; readonly endDay: string; readonly from: string; readonly to: string };

const pad = (n: number) => String(n).padStart(2, '0');
const monthStart = (year: number, month: number) => (month > 12 ? `${year + 1}-01-01` : `${year}-${pad(month)}-01`);

export const isPeriod = (value: string) => PERIOD_PATTERN.test(value);

export const periodBounds = (period: string): PeriodBounds => {
  const match = PERIOD_PATTERN.exec(period);
  if (!match) throw new Error(`${period} is not a period`);
  const year = Number(match[1]);
  const [kind, firstMonth, months]: [PeriodKind, number, number] = match[2]
    ? ['quarter', (Number(match[2]) - 1) * 3 + 1, 3]
    : match[3]
      ? ['month', Number(match[3]), 1]
      : ['year', 1, 12];
  const firstDay = monthStart(year, firstMonth);
  const endDay = monthStart(year, firstMonth + months);
  return { kind, firstDay, endDay, from: startOfCompanyDay(firstDay), to: startOfCompanyDay(endDay) };
};

/** Whether a company day falls inside the period. */
export const periodHoldsDay = (period: string, day: string) => {
  const { firstDay, endDay } = periodBounds(period);
  return firstDay <= day && day < endDay;
};

/** The month, quarter and year a company day falls in: where a view adds a figure of that day. */
export const periodsOfDay = (day: string): string[] => {
  const year = day.slice(0, 4);
  const month = Number(day.slice(5, 7));
  return [`${year}-${day.slice(5, 7)}`, `${year}-Q${Math.ceil(month / 3)}`, year];
};

/** Whether two periods share a day: a quarter overlaps its months and its year. */
export const periodsOverlap = (a: string, b: string) => {
  const x = periodBounds(a);
  const y = periodBounds(b);
  return x.firstDay < y.endDay && y.firstDay < x.endDay;
};

/** Every period that shares a day with this one (itself included): its months, its quarter, its year. */
export const overlappingPeriods = (period: string): string[] => {
  const { firstDay, endDay } = periodBounds(period);
  const found = new Set<string>();
  for (let day = firstDay; day < endDay; day = monthStart(Number(day.slice(0, 4)), Number(day.slice(5, 7)) + 1)) {
    for (const overlapping of periodsOfDay(day)) found.add(overlapping);
  }
  return [...found];
};
