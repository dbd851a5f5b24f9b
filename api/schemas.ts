import { z } from 'zod';
import { COMPANY_TIME_ZONE, companyDay, instantOfCompanyTime, startOfCompanyDay } from '../domain/shared/calendar.js';
import type { ExactSum } from '../domain/shared/money.js';

/** Shapes shared by many routes. Every body object is strict: an unknown field is a 400. */
export const Uuid = z.uuid();
export const IdParams = z.object({ id: Uuid }).strict();
export const ShortText = (max = 200) => z.string().trim().min(1).max(max);
export const Reason = z.string().trim().min(1).max(2000);
/** An offset can carry a time written in year 9999 past the end of it in UTC, which no ISO-8601 field of four-digit years holds. */
const FOUR_DIGIT_YEAR = /^\d{4}-/;
const WITHIN_YEARS = { message: 'must fall within the years 0000 to 9999' };

/** An instant with any offset, kept as UTC (the log's one spelling of time). */
export const Instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .refine((utc) => FOUR_DIGIT_YEAR.test(utc), WITHIN_YEARS);

const DAY_OR_DATE_TIME = `must be a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:mm:ss, with Z or an offset, or without one for the time in ${COMPANY_TIME_ZONE})`;
const DayOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], { error: DAY_OR_DATE_TIME });
const hasZone = (dateTime: string) => /(Z|[+-]\d{2}(:?\d{2})?)$/.test(dateTime);

/**
 * A day of the company calendar (due dates, delivery dates). A date is taken as written; a
 * date-time with a zone is the day it is in the company's zone at that instant; one without a
 * zone is read as the company's local time.
 */
export const CalendarDay = DayOrDateTime.transform((s) => (s.length === 10 ? s : hasZone(s) ? companyDay(s) : s.slice(0, 10)))
  .refine((day) => FOUR_DIGIT_YEAR.test(day), WITHIN_YEARS)
  .meta({
  description: `A day of the company calendar (${COMPANY_TIME_ZONE}): YYYY-MM-DD, or a date-time whose day there is taken`,
});

/** A bound of a period: a date is the start of that day in the company's zone; a date-time is that instant. Kept as UTC. */
export const PeriodBound = DayOrDateTime.transform((s) => (s.length === 10 ? startOfCompanyDay(s) : hasZone(s) ? new Date(s).toISOString() : instantOfCompanyTime(s))).refine(
  (utc) => FOUR_DIGIT_YEAR.test(utc),
  WITHIN_YEARS,
);

/** Where a stream's hash chain breaks, as verification reports it. */
export const ChainBreakOut = z.object({
  revision: z.number(),
  eventId: z.string(),
  reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'revision_gap']),
  expected: z.string(),
  found: z.string(),
});

/** Read-your-writes: the position a command returned; the view waits until it has applied it. */
export const AfterPosition = z.coerce.number().int().min(0).optional();

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
  after: AfterPosition,
};

/**
 * A sum of many amounts as served. `minor` is a number while a JSON number holds it exactly; past
 * 2^53 - 1 either side of zero it is null and `minorDecimal` carries the exact figure, so no client
 * ever reads a rounded total as if it were the real one.
 */
export const TotalOut = z.object({
  minor: z.number().int().nullable().describe('Integer minor units; null when the total is beyond 2^53 - 1 either side of zero, see minorDecimal'),
  minorDecimal: z
    .string()
    .regex(/^-?\d+$/)
    .optional()
    .describe('The exact total in minor units as a decimal string; present only when minor is null'),
  currency: z.string(),
});

export const totalOut = ({ minor, currency }: ExactSum): z.infer<typeof TotalOut> => {
  const number = Number(minor);
  return Number.isSafeInteger(number) ? { minor: number, currency } : { minor: null, minorDecimal: minor.toString(), currency };
};
