import { describe, expect, it } from 'vitest';
import { describeCatalog } from '../../domain/analytics/catalog';
import { catalogMetric, fromKpiView, kpiRouteQuery, metricsFor, periodsOf, settleQuery, type KpiQuery } from '../../console/src/kpiSource';

/** The catalogue as GET /views/kpis/catalog answers it, from the server's own definitions. */
const CATALOG = describeCatalog();
const entry = (id: string) => CATALOG.find((metric) => metric.id === id)!;
const asked = (metric: string, changes: Partial<KpiQuery> = {}): KpiQuery => ({ metric, granularity: 'month', months: 6, groupBy: 'none', model: null, ...changes });

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

  it('counts whole quarters covering the months asked, and the days since the same day months back', () => {
    expect(periodsOf('quarter', 6, '2026-05-20')).toEqual([
      { from: '2026-01-01', to: '2026-04-01' },
      { from: '2026-04-01', to: '2026-07-01' },
    ]);
    const days = periodsOf('day', 3, '2026-03-04');
    expect(days[0]).toEqual({ from: '2025-12-05', to: '2025-12-06' });
    expect(days.at(-1)).toEqual({ from: '2026-03-04', to: '2026-03-05' });
    expect(days).toHaveLength(90);
  });
});

describe('KPI metrics', () => {
  it('offers only the assembled metrics whose views the role may read', () => {
    expect(metricsFor(['readComplaints']).map((m) => m.id)).toEqual([
      'complaints.filed',
      'complaints.firstResponseMedian',
      'complaints.resolutionBreachRate',
      'complaints.csat',
      'complaints.nps',
    ]);
    expect(metricsFor(['readViews']).map((m) => m.id)).toEqual(['attainment.bookings']);
  });

  it("offers every metric of the catalogue, first, to a role that reads KPIs, and none to one that does not", () => {
    expect(metricsFor(['readKpis', 'readViews'], CATALOG).map((m) => m.id)).toEqual([...CATALOG.map((m) => m.id), 'attainment.bookings']);
    expect(metricsFor(['readViews'], CATALOG).map((m) => m.id)).toEqual(['attainment.bookings']);
  });

  it("takes a catalogue metric's groups, periods and models as the catalogue states them", () => {
    const winRate = catalogMetric(entry('win_rate'));
    expect(winRate.groups).toEqual(['none', 'owner', 'team', 'region', 'industry', 'sku', 'source', 'campaign', 'partner']);
    expect(winRate.granularities).toEqual(['day', 'week', 'month', 'quarter']);
    expect(winRate.models).toEqual([]);
    expect(catalogMetric(entry('forecast_accuracy_mape')).granularities).toEqual(['month', 'quarter']);
    expect(catalogMetric(entry('attributed_pipeline')).models).toEqual(['first_touch', 'last_touch', 'linear']);
  });
});

describe('a KPI question for GET /views/kpis', () => {
  it('keeps a grouping, period and model the metric offers, and otherwise falls back to no grouping, the month and its first model', () => {
    const mape = catalogMetric(entry('forecast_accuracy_mape'));
    expect(settleQuery(mape, asked('win_rate', { granularity: 'week', groupBy: 'rule' }))).toEqual(asked('forecast_accuracy_mape'));
    const attributed = catalogMetric(entry('attributed_bookings'));
    expect(settleQuery(attributed, asked('attributed_bookings', { groupBy: 'campaign' }))).toEqual(asked('attributed_bookings', { groupBy: 'campaign', model: 'first_touch' }));
    expect(settleQuery(attributed, asked('attributed_bookings', { model: 'linear' })).model).toBe('linear');
  });

  it("names the route's metric, period, range and grouping, leaving out no grouping and no model", () => {
    expect(kpiRouteQuery(asked('win_rate', { months: 3 }), '2026-01-15')).toEqual({ metric: 'win_rate', period: 'month', from: '2025-11-01', to: '2026-02-01' });
    expect(kpiRouteQuery(asked('attributed_pipeline', { granularity: 'quarter', months: 6, groupBy: 'campaign', model: 'linear' }), '2026-05-20')).toEqual({
      metric: 'attributed_pipeline',
      period: 'quarter',
      from: '2026-01-01',
      to: '2026-07-01',
      groupBy: 'campaign',
      model: 'linear',
    });
  });

  it('draws an answer as a series per group and currency, money in major units, null for a period with no point', () => {
    const answer = fromKpiView({
      metric: entry('bookings'),
      groupBy: 'region',
      period: 'month',
      model: null,
      asOf: null,
      position: null,
      periods: [
        { key: '2026-03', start: '2026-02-28T16:00:00.000Z', end: '2026-03-31T16:00:00.000Z' },
        { key: '2026-04', start: '2026-03-31T16:00:00.000Z', end: '2026-04-30T16:00:00.000Z' },
      ],
      series: [
        { group: 'east', currency: 'CNY', points: [{ period: '2026-04', value: null, amount: { minor: 12_345_600, currency: 'CNY' }, count: 2 }] },
        { group: null, currency: 'JPY', points: [{ period: '2026-03', value: null, amount: { minor: 5000, currency: 'JPY' }, count: 1 }] },
      ],
    });
    expect(answer).toEqual({
      periods: ['2026-03', '2026-04'],
      unit: 'money',
      grouped: true,
      series: [
        { group: 'east', split: 'CNY', values: [null, 123_456] },
        { group: null, split: 'JPY', values: [5000, null] },
      ],
    });
  });
});
