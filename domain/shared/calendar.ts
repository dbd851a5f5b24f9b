/**
 * The company's calendar. A due date or a delivery date is a day in the company's zone, and
 * "today" is the day it is there: a promise due on 1 December is overdue when 2 December begins
 * in Beijing, not in Greenwich. The zone is a fact of the company, not of a deployment, so a
 * replay of the history reaches the same verdicts wherever it runs.
 */
export const COMPANY_TIME_ZONE = 'Asia/Shanghai';

const DAY_MS = 86_400_000;

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: COMPANY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const offsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: COMPANY_TIME_ZONE, timeZoneName: 'longOffset' });

/** The company's calendar day (YYYY-MM-DD) at an instant. */
export const companyDay = (instant: string | Date): string => {
  const parts = Object.fromEntries(dayFormat.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return `${parts['year']}-${parts['month']}-${parts['day']}`;
};

/** The zone's offset from UTC at an instant, in milliseconds ("GMT+08:00" is 8 hours). */
const offsetAt = (epochMs: number): number => {
  const name = offsetFormat.formatToParts(new Date(epochMs)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
};

/** The instant (UTC, ISO-8601) a wall-clock time in the company's zone (YYYY-MM-DDTHH:mm[:ss[.sss]], no zone) falls on. */
export const instantOfCompanyTime = (localDateTime: string): string => {
  const asIfUtc = Date.parse(`${localDateTime}Z`);
  // The offset is taken at the instant itself, which differs from the first guess's only across a change of offset.
  const guess = asIfUtc - offsetAt(asIfUtc);
  return new Date(asIfUtc - offsetAt(guess)).toISOString();
};

/** The instant (UTC, ISO-8601) the company's day begins. */
export const startOfCompanyDay = (day: string): string => instantOfCompanyTime(`${day}T00:00:00`);

/** The calendar day `days` after `day` (before, when negative). */
export const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
