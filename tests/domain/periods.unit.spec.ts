import { describe, expect, it } from 'vitest';
import { nextPeriod, periodOf, periodOfKey, periodsWithin } from '../../domain/shared/periods.js';

describe('reporting periods of the company calendar (Asia/Shanghai)', () => {
  it('puts an instant in the period it falls in in Beijing: 31 March 17:00 UTC is 1 April there', () => {
    expect(periodOf('day', '2026-03-31T17:00:00Z')).toEqual({ kind: 'day', key: '2026-04-01', start: '2026-03-31T16:00:00.000Z', end: '2026-04-01T16:00:00.000Z' });
    expect(periodOf('month', '2026-03-31T17:00:00Z')).toEqual({ kind: 'month', key: '2026-04', start: '2026-03-31T16:00:00.000Z', end: '2026-04-30T16:00:00.000Z' });
    expect(periodOf('quarter', '2026-03-31T15:59:59Z')).toEqual({ kind: 'quarter', key: '2026-Q1', start: '2025-12-31T16:00:00.000Z', end: '2026-03-31T16:00:00.000Z' });
    expect(periodOf('quarter', '2026-12-31T16:00:00Z').key).toBe('2027-Q1');
  });

  it('runs weeks Monday to Sunday and names them by ISO week, whose year is its Thursday\'s', () => {
    expect(periodOf('week', '2026-04-01T04:00:00Z')).toEqual({ kind: 'week', key: '2026-W14', start: '2026-03-29T16:00:00.000Z', end: '2026-04-05T16:00:00.000Z' });
    expect(periodOf('week', '2027-01-01T04:00:00Z').key).toBe('2026-W53');
    expect(periodOf('week', '2024-12-30T04:00:00Z').key).toBe('2025-W01');
  });

  it('lists the periods overlapping a range, up to a most, and stops as soon as a range holds more', () => {
    const months = periodsWithin('month', '2026-03-15T00:00:00Z', '2026-06-30T16:00:00Z', 4);
    expect(months?.map((p) => p.key)).toEqual(['2026-03', '2026-04', '2026-05', '2026-06']);
    expect(periodsWithin('month', '2026-03-15T00:00:00Z', '2026-06-30T16:00:00Z', 3)).toBeUndefined();
    expect(periodsWithin('quarter', '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z', 10)?.map((p) => p.key)).toEqual(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
    expect(periodsWithin('day', '1970-01-01T00:00:00Z', '9999-01-01T00:00:00Z', 366)).toBeUndefined();
    expect(periodsWithin('day', '2026-04-02T00:00:00Z', '2026-04-01T00:00:00Z', 10)).toEqual([]);
  });

  it('reads a period back from its key, and refuses keys that name none', () => {
    for (const key of ['2026-04-01', '2026-W14', '2026-W53', '2026-04', '2026-Q2']) expect(periodOfKey(key)?.key).toBe(key);
    expect(periodOfKey('2026-Q2')).toEqual(periodOf('quarter', '2026-05-10T00:00:00Z'));
    expect(nextPeriod(periodOfKey('2026-Q4')!).key).toBe('2027-Q1');
    for (const key of ['2026-13', '2026-02-30', '2026-Q5', '2025-W53', 'Q2-2026']) expect(periodOfKey(key)).toBeUndefined();
  });
});
