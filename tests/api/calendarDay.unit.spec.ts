import { describe, expect, it } from 'vitest';
import { CalendarDay, PeriodBound } from '../../api/schemas.js';

describe('a calendar day at the edge', () => {
  it.each([
    ['2026-12-01', '2026-12-01'],
    ['2026-12-01T07:00:00+08:00', '2026-12-01'],
    ['2026-11-30T17:00:00Z', '2026-12-01'],
    ['2026-11-30T15:59:59.999Z', '2026-11-30'],
    ['2026-12-01T10:00:00', '2026-12-01'],
    ['2026-12-01T23:30:00-05:00', '2026-12-02'],
  ])('takes %s as the company day %s', (given, day) => expect(CalendarDay.parse(given)).toBe(day));

  it.each(['2026-13-01', '01/12/2026', '2026-12-01T25:00:00Z', '2026-12-01 10:00:00', 'tomorrow', '2026-02-30', ''])('refuses %j saying what it expects', (given) => {
    const parsed = CalendarDay.safeParse(given);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/must be a date \(YYYY-MM-DD\) or a date-time/);
  });

  it('reads a period bound given as a day as the start of that day in the company, and a date-time as its instant', () => {
    expect(PeriodBound.parse('2026-12-01')).toBe('2026-11-30T16:00:00.000Z');
    expect(PeriodBound.parse('2026-12-01T08:00:00+08:00')).toBe('2026-12-01T00:00:00.000Z');
    expect(PeriodBound.parse('2026-12-01T08:00:00')).toBe('2026-12-01T00:00:00.000Z');
  });
});
