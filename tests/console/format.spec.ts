import { describe, expect, it } from 'vitest';
import { companyToday, formatInstant, formatMoney, fromCompanyLocalInput, majorUnits, toCompanyLocalInput } from '../../console/src/format';

describe('times, in Beijing whatever zone the browser is in', () => {
  it('shows a UTC instant as the Beijing date and time, in either language', () => {
    expect(formatInstant('2026-03-01T16:30:05Z', 'zh')).toBe('2026/03/02 00:30:05');
    expect(formatInstant('2026-03-01T16:30:05Z', 'en')).toBe('02/03/2026, 00:30:05');
  });

  it('reads a datetime-local value as Beijing wall time and gives it back the same', () => {
    expect(fromCompanyLocalInput('2026-03-02T00:30')).toBe('2026-03-02T00:30:00+08:00');
    expect(new Date(fromCompanyLocalInput('2026-03-02T00:30:05')).toISOString()).toBe('2026-03-01T16:30:05.000Z');
    expect(toCompanyLocalInput('2026-03-01T16:30:05.000Z')).toBe('2026-03-02T00:30:05');
  });

  it("counts today by the company's calendar: 23:30 UTC is already tomorrow in Beijing", () => {
    expect(companyToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });
});

describe('money, from integer minor units', () => {
  it('places the decimal point by the currency, exactly, past what a JSON number holds', () => {
    expect(majorUnits({ minor: 12_000_000, currency: 'CNY' })).toBe('120000.00');
    expect(majorUnits({ minor: -5, currency: 'CNY' })).toBe('-0.05');
    expect(majorUnits({ minor: 1234, currency: 'JPY' })).toBe('1234');
    expect(majorUnits({ minor: null, minorDecimal: '123456789012345678901', currency: 'CNY' })).toBe('1234567890123456789.01');
  });

  it('formats an amount in the reader’s conventions', () => {
    expect(formatMoney({ minor: 12_000_050, currency: 'CNY' }, 'zh')).toBe('¥120,000.50');
    expect(formatMoney({ minor: null, minorDecimal: '900719925474099312', currency: 'CNY' }, 'en')).toBe('CN¥9,007,199,254,740,993.12');
  });
});
