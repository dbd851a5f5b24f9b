import { describe, expect, it } from 'vitest';
import { metricsFor, periodsOf } from '../../console/src/kpiSource';

describe('KPI periods', () => {
  it('counts whole months of the company calendar, ending with the current one', () => {
    expect(periodsOf('month', 3, '2026-01-15')).toEqual([
      { from: '2025-11-01', to: '2025-12-01' },
      { from: '2025-12-01', to: '2026-01-01' },
      { from: '2026-01-01', to: '2026-02-01' },
    ]);
  });

  it('counts weeks from Monday, the current one last', () => {
    const weeks = periodsOf('week', 3, '2026-03-04');
    expect(weeks.at(-1)).toEqual({ from: '2026-03-02', to: '2026-03-09' });
    expect(weeks).toHaveLength(13);
    expect(weeks.every((week, i) => i === 0 || week.from === weeks[i - 1]!.to)).toBe(true);
  });
});

describe('KPI metrics', () => {
  it("offers only the metrics whose views the role may read", () => {
    expect(metricsFor(['readComplaints']).map((m) => m.id)).toEqual([
      'complaints.filed',
      'complaints.firstResponseMedian',
      'complaints.resolutionBreachRate',
      'complaints.csat',
      'complaints.nps',
    ]);
    expect(metricsFor(['readViews']).map((m) => m.id)).toEqual(['attainment.bookings']);
  });
});
