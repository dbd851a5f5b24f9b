import { describe, expect, it } from 'vitest';
import { addDays, companyDay, instantOfCompanyTime, startOfCompanyDay } from '../../domain/shared/calendar.js';

describe('the company calendar (Asia/Shanghai)', () => {
  it('gives the day it is in the company at an instant, which is not the day in UTC for the first eight hours', () => {
    expect(companyDay('2026-11-30T15:59:59.999Z')).toBe('2026-11-30');
    expect(companyDay('2026-11-30T16:00:00.000Z')).toBe('2026-12-01');
    expect(companyDay('2026-12-31T20:00:00.000Z')).toBe('2027-01-01');
  });

  it('finds the instant a company day begins and a wall-clock time falls on', () => {
    expect(startOfCompanyDay('2026-12-01')).toBe('2026-11-30T16:00:00.000Z');
    expect(instantOfCompanyTime('2026-12-01T09:30:00')).toBe('2026-12-01T01:30:00.000Z');
    expect(companyDay(startOfCompanyDay('2027-03-01'))).toBe('2027-03-01');
  });

  it('counts days across months, leap days and years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
  });
});
