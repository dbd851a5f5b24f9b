import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { AttributionModel } from '../../domain/analytics/attribution.js';
import type { KpiFact } from '../../domain/analytics/facts.js';
import { kpiTable } from '../../domain/analytics/kpiTable.js';
import { METRIC_IDS, metricById, type GroupBy, type Measured } from '../../domain/analytics/metrics.js';
import { startOfCompanyDay } from '../../domain/shared/calendar.js';
import { periodsWithin, type PeriodKind } from '../../domain/shared/periods.js';
import { KPI_FACTS, kpiProjection } from '../../projections/kpis/kpiProjection.js';
import { cny, kpiHistory, on, usd } from '../support/kpiHistory.js';
import { projectionSpecification } from '../support/projectionSpecification.js';

let recorded: RecordedEvent[];
let facts: KpiFact[];
let spec: ReturnType<typeof projectionSpecification>;

beforeAll(() => {
  spec = projectionSpecification(kpiProjection);
  const history = kpiHistory();
  // The history is in the order it happened: a view is never handed an event from before the one it applied.
  const times = history.map((e) => String(e.metadata!.occurredAt));
  expect(times).toEqual([...times].sort());
  recorded = spec.given(...history);
  facts = spec.documents(KPI_FACTS).map(({ kindAt: _kindAt, ...fact }) => fact as unknown as KpiFact);
});

/** The event as the log holds it, for a fact's evidence: the nth of its type in the stream. */
const ref = (streamId: string, type: string, nth = 0) => {
  const event = recorded.filter((e) => e.streamId === streamId && e.type === type)[nth]!;
  return { streamId, revision: event.revision, position: event.position, type, occurredAt: String(event.metadata.occurredAt) };
};

describe('the KPI facts: given the events, then the documents', () => {
  it('records a won deal with the dimensions of its close, every touch, the margin of its accepted quote and the events it rests on', () => {
    expect(spec.document(KPI_FACTS, 'deal_closed|D1')).toEqual({
      id: 'deal_closed|D1',
      kind: 'deal_closed',
      kindAt: `deal_closed|${on('04-13')}`,
      at: on('04-13'),
      ownerId: 'rep-a',
      team: 'east',
      region: 'east',
      industry: 'finance',
      source: 'campaign',
      skus: ['FW'],
      campaigns: ['cmp-w', 'cmp-e'],
      partners: [],
      outcome: 'won',
      amount: cny(100_000),
      openedAt: on('04-03'),
      // The lead's campaign touched it when the lead was captured, then the conversion's link, then a second campaign.
      touches: [
        { kind: 'campaign', id: 'cmp-w', at: on('04-01') },
        { kind: 'campaign', id: 'cmp-w', at: on('04-03') },
        { kind: 'campaign', id: 'cmp-e', at: on('04-06') },
      ],
      margin: cny(50_000),
      evidence: [
        ref('opportunity-D1', 'OpportunityOpened'),
        ref('opportunity-D1', 'OpportunityWon'),
        ref('lead-L1', 'LeadCaptured'),
        ref('opportunity-D1', 'OpportunitySourceLinked', 0),
        ref('opportunity-D1', 'OpportunitySourceLinked', 1),
        ref('quote-Q1', 'QuoteAccepted'),
      ],
    });
  });

  it("counts a promise's first outcome: overdue, though it was fulfilled afterwards", () => {
    expect(spec.document(KPI_FACTS, 'promise_due|P2')).toMatchObject({
      kind: 'promise_due',
      at: startOfCompanyDay('2026-04-15'),
      ownerId: 'rep-a',
      outcome: 'overdue',
      evidence: [ref('promise-P2', 'PromiseRecorded'), ref('promise-P2', 'PromiseWentOverdue')],
    });
  });

  it('attributes an order to its promised day and knows it came late; a quote sent is marked ordered by the order placed from it', () => {
    expect(spec.document(KPI_FACTS, 'order_due|O2')).toMatchObject({
      at: startOfCompanyDay('2026-05-10'),
      dueEnd: startOfCompanyDay('2026-05-11'),
      ownerId: 'rep-b',
      skus: ['AV'],
      fullyDeliveredAt: on('05-12', 2),
      completeOnTime: false,
      cancelled: false,
      evidence: [ref('order-O2', 'OrderPlaced'), ref('order-O2', 'OrderFullyDelivered')],
    });
    expect(spec.document(KPI_FACTS, 'quote_sent|Q3')).toMatchObject({
      at: on('04-21', 2),
      listMinor: 40_000,
      netMinor: 36_000,
      ordered: true,
      evidence: [ref('quote-Q3', 'QuoteDrafted'), ref('quote-Q3', 'QuoteSent'), ref('order-O2', 'OrderPlaced')],
    });
  });

  it("times a lead's conversion from its capture and gives it the customer's region and industry", () => {
    expect(spec.document(KPI_FACTS, 'lead_converted|L3')).toMatchObject({
      at: on('04-08', 2),
      capturedAt: on('04-04', 2),
      ownerId: 'rep-a',
      source: 'partner',
      partners: ['ptn-1'],
      region: 'north',
      industry: 'energy',
      evidence: [ref('lead-L3', 'LeadCaptured'), ref('lead-L3', 'LeadConverted')],
    });
  });
});

type Ask = { groupBy?: GroupBy; period?: PeriodKind; model?: AttributionModel; from?: string; to?: string };

const figure = (measured: Measured) => (measured.amount ? { minor: Number(measured.amount.minor), currency: measured.amount.currency } : measured.value);

/** The metric over the history, as rows of group, currency or stage, period and figure. */
const rows = (metricId: string, { groupBy, period, model, from = '2026-04-01', to = '2026-06-01' }: Ask = {}) => {
  const metric = metricById(metricId)!;
  const start = startOfCompanyDay(from);
  const end = startOfCompanyDay(to);
  const buckets = period === undefined ? [{ key: 'total', start, end }] : periodsWithin(period, start, end, 100)!;
  const question = { metric, groupBy: groupBy ?? null, buckets, calendarPeriods: period !== undefined, model: model ?? null, filters: {}, moment: '2026-06-01T00:00:00.000Z' };
  return kpiTable(question, facts).flatMap(({ group, split, points }) => points.map(({ bucket, measured }) => [group, split, bucket.key, figure(measured)]));
};

/**
 * Each metric's formula over the history, worked out by hand (see tests/support/kpiHistory.ts):
 * [metric, question, rows of group, split (currency or stage), period, figure].
 */
const CASES: [string, Ask, unknown[][]][] = [
  // Closed: D1 won and D2 lost (rep-a, April), D4 won (rep-c, April), D3 won (rep-b, May).
  ['win_rate', {}, [[null, null, 'total', 75]]],
  ['win_rate', { groupBy: 'owner', period: 'month' }, [
    ['rep-a', null, '2026-04', 50], ['rep-a', null, '2026-05', null],
    ['rep-b', null, '2026-04', null], ['rep-b', null, '2026-05', 100],
    ['rep-c', null, '2026-04', 100], ['rep-c', null, '2026-05', null],
  ]],
  ['win_rate', { groupBy: 'team', period: 'month' }, [
    ['east', null, '2026-04', 50], ['east', null, '2026-05', 100],
    ['north', null, '2026-04', 100], ['north', null, '2026-05', null],
  ]],
  // c1 (east): D1, D3 won; c2 (north): D2 lost, D4 won.
  ['win_rate', { groupBy: 'region' }, [['east', null, 'total', 100], ['north', null, 'total', 50]]],
  ['win_rate', { groupBy: 'industry' }, [['energy', null, 'total', 50], ['finance', null, 'total', 100]]],
  // D1 came from a campaign lead, D2 from a partner's; D3 and D4 from no lead.
  ['win_rate', { groupBy: 'source' }, [['campaign', null, 'total', 100], ['partner', null, 'total', 0], [null, null, 'total', 100]]],
  // Quoted: D1 FW; D2 and D3 AV; D4 nothing.
  ['win_rate', { groupBy: 'sku' }, [['AV', null, 'total', 50], ['FW', null, 'total', 100], [null, null, 'total', 100]]],
  // D1 counts under both campaigns that touched it; D2, D3 (won) and D4 under none: 2 of 3.
  ['win_rate', { groupBy: 'campaign' }, [['cmp-e', null, 'total', 100], ['cmp-w', null, 'total', 100], [null, null, 'total', 66.67]]],
  ['win_rate', { groupBy: 'partner' }, [['ptn-1', null, 'total', 50], [null, null, 'total', 100]]],
  // CNY: won 100,000 + 36,000 of 186,000 closed = 73.118..%; USD: 20,000 of 20,000.
  ['win_rate_by_value', {}, [[null, 'CNY', 'total', 73.12], [null, 'USD', 'total', 100]]],
  // Days from opened to closed: D1 10, D2 4, D3 30, D4 10.
  ['sales_cycle_days', {}, [[null, null, 'total', 10]]],
  ['sales_cycle_days', { groupBy: 'owner' }, [['rep-a', null, 'total', 7], ['rep-b', null, 'total', 30], ['rep-c', null, 'total', 10]]],
  ['sales_cycle_days_avg', {}, [[null, null, 'total', 13.5]]],
  // Exits: qualification 5 (D2's by losing, the rest forwards), discovery 1 (backwards), proposal 2 and negotiation 1, all forwards.
  ['stage_conversion', {}, [[null, 'discovery', 'total', 0], [null, 'negotiation', 'total', 100], [null, 'proposal', 'total', 100], [null, 'qualification', 'total', 80]]],
  // Days in qualification 2, 4, 2, 2, 10; discovery 1; proposal 4 and 25; negotiation 4.
  ['time_in_stage_days', {}, [[null, 'discovery', 'total', 1], [null, 'negotiation', 'total', 4], [null, 'proposal', 'total', 14.5], [null, 'qualification', 'total', 2]]],
  // Won: CNY 100,000 and 36,000; USD 20,000.
  ['deal_size_avg', {}, [[null, 'CNY', 'total', cny(68_000)], [null, 'USD', 'total', usd(20_000)]]],
  // Off list: Q1 10%, Q2 20%, Q4 0%, Q3 10%: median 10; 90th percentile 10 + 0.7 x (20 - 10).
  ['discount_depth', {}, [[null, null, 'total', 10]]],
  ['discount_depth_p90', {}, [[null, null, 'total', 17]]],
  ['discount_depth', { groupBy: 'owner' }, [['rep-a', null, 'total', 15], ['rep-b', null, 'total', 5]]],
  // Ordered: Q1, Q4 and Q3 (in May, counted in April when Q3 was sent); Q2 not.
  ['quote_to_order_rate', { groupBy: 'owner' }, [['rep-a', null, 'total', 50], ['rep-b', null, 'total', 100]]],
  ['quote_to_order_rate', { period: 'month' }, [[null, null, '2026-04', 75], [null, null, '2026-05', null]]],
  // Due: O1 (20 April, in full on the 18th), O2 (10 May, in full on the 12th); O3 cancelled, left out.
  ['on_time_delivery_rate', {}, [[null, null, 'total', 50]]],
  ['on_time_delivery_rate', { period: 'month' }, [[null, null, '2026-04', 100], [null, null, '2026-05', 0]]],
  // Settled: P1 kept, P2 overdue, P3 broken (due in April); P4 withdrawn and P5 open left out.
  ['promise_kept_rate', { period: 'month' }, [[null, null, '2026-04', 33.33], [null, null, '2026-05', null]]],
  ['promise_kept_rate', { groupBy: 'owner' }, [['rep-a', null, 'total', 50], ['rep-b', null, 'total', 0], ['rep-c', null, 'total', null]]],
  // Findings on promises: F1, F3 (April); F2 is on a quote. Promises recorded: four in April, one in May.
  ['findings_per_100_promises', {}, [[null, null, 'total', 40]]],
  ['findings_per_100_promises', { period: 'month' }, [[null, null, '2026-04', 50], [null, null, '2026-05', 0]]],
  // Leads: L1 (campaign) and L3 (partner) converted; L2 and L4 (inbound) not.
  ['lead_conversion_rate', {}, [[null, null, 'total', 50]]],
  ['lead_conversion_rate', { groupBy: 'source' }, [['campaign', null, 'total', 100], ['inbound', null, 'total', 0], ['partner', null, 'total', 100]]],
  ['lead_conversion_rate', { groupBy: 'campaign' }, [['cmp-e', null, 'total', 0], ['cmp-w', null, 'total', 100], [null, null, 'total', 50]]],
  // L1 in 2 days, L3 in 4.
  ['lead_time_to_convert_days', {}, [[null, null, 'total', 3]]],
  ['lead_time_to_convert_days', { groupBy: 'source' }, [['campaign', null, 'total', 2], ['partner', null, 'total', 4]]],
  // Opened in April: D1 100,000, D2 50,000, D3 30,000, D5 40,000 CNY; D4 20,000 USD.
  ['pipeline_created', { period: 'month' }, [
    [null, 'CNY', '2026-04', cny(220_000)], [null, 'CNY', '2026-05', cny(0)],
    [null, 'USD', '2026-04', usd(20_000)], [null, 'USD', '2026-05', usd(0)],
  ]],
  ['pipeline_closed', { period: 'month' }, [
    [null, 'CNY', '2026-04', cny(150_000)], [null, 'CNY', '2026-05', cny(36_000)],
    [null, 'USD', '2026-04', usd(20_000)], [null, 'USD', '2026-05', usd(0)],
  ]],
  ['bookings', { groupBy: 'owner' }, [['rep-a', 'CNY', 'total', cny(100_000)], ['rep-b', 'CNY', 'total', cny(36_000)], ['rep-c', 'USD', 'total', usd(20_000)]]],
  // Open as April began: rep-a 150,000 against 200,000; May: rep-b 70,000 against 140,000 (revised from 100,000).
  ['pipeline_coverage', { period: 'month' }, [[null, 'CNY', '2026-04', 0.75], [null, 'CNY', '2026-05', 0.5]]],
  ['pipeline_coverage', { groupBy: 'owner', period: 'month' }, [
    ['rep-a', 'CNY', '2026-04', 0.75], ['rep-a', 'CNY', '2026-05', null],
    ['rep-b', 'CNY', '2026-04', null], ['rep-b', 'CNY', '2026-05', 0.5],
  ]],
  // Team east against its own 300,000: its sellers' 190,000 open as April began; no team target for May.
  ['pipeline_coverage', { groupBy: 'team', period: 'month' }, [['east', 'CNY', '2026-04', 0.63], ['east', 'CNY', '2026-05', null]]],
  // April: rep-a won 100,000 against 90,000 weighted (10%), rep-b won nothing (left out); rep-c won
  // 20,000 USD against no USD forecast (100%). May: rep-b won 36,000 against 45,000 (25%).
  ['forecast_accuracy_mape', { groupBy: 'owner', period: 'month' }, [
    ['rep-a', 'CNY', '2026-04', 10], ['rep-a', 'CNY', '2026-05', null],
    ['rep-b', 'CNY', '2026-04', null], ['rep-b', 'CNY', '2026-05', 25],
    ['rep-c', 'USD', '2026-04', 100], ['rep-c', 'USD', '2026-05', null],
  ]],
  ['forecast_accuracy_mape', { groupBy: 'team', period: 'month' }, [
    ['east', 'CNY', '2026-04', 10], ['east', 'CNY', '2026-05', 25],
    ['north', 'USD', '2026-04', 100], ['north', 'USD', '2026-05', null],
  ]],
  // The quarter against April's forecast: rep-a 10%, rep-b |36,000 - 20,000| / 36,000 = 44.44%; mean 27.22.
  ['forecast_accuracy_mape', { period: 'quarter', from: '2026-04-01', to: '2026-07-01' }, [[null, 'CNY', '2026-Q2', 27.22], [null, 'USD', '2026-Q2', 100]]],
  // D1 was touched by cmp-w (1 April, again 3 April) then cmp-e (6 April); D2, D3, D5 (CNY) and D4 (USD) by no campaign.
  ['attributed_pipeline', { groupBy: 'campaign', model: 'first_touch' }, [['cmp-w', 'CNY', 'total', cny(100_000)], [null, 'CNY', 'total', cny(120_000)], [null, 'USD', 'total', usd(20_000)]]],
  ['attributed_pipeline', { groupBy: 'campaign', model: 'last_touch' }, [['cmp-e', 'CNY', 'total', cny(100_000)], [null, 'CNY', 'total', cny(120_000)], [null, 'USD', 'total', usd(20_000)]]],
  ['attributed_pipeline', { groupBy: 'campaign', model: 'linear' }, [
    ['cmp-e', 'CNY', 'total', cny(50_000)], ['cmp-w', 'CNY', 'total', cny(50_000)], [null, 'CNY', 'total', cny(120_000)], [null, 'USD', 'total', usd(20_000)],
  ]],
  // ptn-1 brought D2 (its lead) and D3 (its registration).
  ['attributed_pipeline', { groupBy: 'partner', model: 'first_touch' }, [['ptn-1', 'CNY', 'total', cny(80_000)], [null, 'CNY', 'total', cny(140_000)], [null, 'USD', 'total', usd(20_000)]]],
  ['attributed_bookings', { groupBy: 'campaign', model: 'last_touch' }, [['cmp-e', 'CNY', 'total', cny(100_000)], [null, 'CNY', 'total', cny(36_000)], [null, 'USD', 'total', usd(20_000)]]],
  // Costs: cmp-w 30,000, cmp-e 30,000. Bookings of D1, 100,000, credited under each model.
  ['campaign_roi', { groupBy: 'campaign', model: 'first_touch' }, [['cmp-e', 'CNY', 'total', 0], ['cmp-w', 'CNY', 'total', 3.33]]],
  ['campaign_roi', { groupBy: 'campaign', model: 'last_touch' }, [['cmp-e', 'CNY', 'total', 3.33], ['cmp-w', 'CNY', 'total', 0]]],
  ['campaign_roi', { groupBy: 'campaign', model: 'linear' }, [['cmp-e', 'CNY', 'total', 1.67], ['cmp-w', 'CNY', 'total', 1.67]]],
  // D1's margin 50,000, half to each.
  ['campaign_roi_margin', { groupBy: 'campaign', model: 'linear' }, [['cmp-e', 'CNY', 'total', 0.83], ['cmp-w', 'CNY', 'total', 0.83]]],
];

describe('each KPI formula over a small history, worked out by hand', () => {
  it.each(CASES)('%s %j', (metric, ask, expected) => {
    expect(rows(metric, ask)).toEqual(expected);
  });

  it('covers every metric of the catalog', () => {
    expect(new Set(CASES.map(([metric]) => metric))).toEqual(new Set(METRIC_IDS));
  });

  it('keeps what each figure was computed from: the pipeline and target of a coverage, the open pipeline where no target is set, the counts of a rate', () => {
    const metric = metricById('pipeline_coverage')!;
    const april = periodsWithin('month', startOfCompanyDay('2026-04-01'), startOfCompanyDay('2026-05-01'), 1)!;
    const coverage = (groupBy: GroupBy | null) =>
      kpiTable({ metric, groupBy, buckets: april, calendarPeriods: true, model: null, filters: {}, moment: '2026-06-01T00:00:00.000Z' }, facts).map((s) => [s.group, s.points[0]!.measured]);
    expect(coverage(null)).toEqual([[null, { value: 0.75, count: 2, numerator: 150_000n, denominator: 200_000n }]]);
    expect(coverage('owner')[1]).toEqual(['rep-b', { value: null, count: 1, numerator: 40_000n, note: 'no target' }]);
    const [rate] = kpiTable({ metric: metricById('win_rate')!, groupBy: null, buckets: april, calendarPeriods: true, model: null, filters: { team: 'east' }, moment: '2026-06-01T00:00:00.000Z' }, facts);
    expect(rate!.points[0]!.measured).toEqual({ value: 50, count: 2, numerator: 1n, denominator: 2n });
  });

  it("counts only the asker's sellers and the filters given", () => {
    const metric = metricById('pipeline_created')!;
    const whole = [{ key: 'total', start: startOfCompanyDay('2026-04-01'), end: startOfCompanyDay('2026-06-01') }];
    const ask = (owners: string[] | undefined, filters: Record<string, string>) =>
      kpiTable({ metric, groupBy: null, buckets: whole, calendarPeriods: false, model: null, filters, ...(owners ? { owners } : {}), moment: '2026-06-01T00:00:00.000Z' }, facts).map((s) => [
        s.split,
        figure(s.points[0]!.measured),
      ]);
    expect(ask(['rep-b'], {})).toEqual([['CNY', cny(70_000)]]);
    expect(ask(undefined, { region: 'north' })).toEqual([['CNY', cny(90_000)], ['USD', usd(20_000)]]);
    expect(ask(undefined, { industry: 'finance', sku: 'FW' })).toEqual([['CNY', cny(100_000)]]);
    expect(ask(['rep-a'], { team: 'north' })).toEqual([]);
  });
});
