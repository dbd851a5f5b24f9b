import type { paths } from '../../client/ledgerClient.js';
import { answered, type Answer, type Ledger, type Permission } from './api';
import { companyToday, majorUnits } from './format';

/**
 * The metric series the KPI page draws, and the one place they are fetched. The metrics of the KPI
 * catalogue come from GET /views/kpis, named and defined by GET /views/kpis/catalog, so a metric the
 * API adds appears here unchanged; findings, complaints and attainment, which the KPI view does not
 * count, are still assembled from their own views, asked once per period.
 */
export type Granularity = 'day' | 'week' | 'month' | 'quarter';
export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month', 'quarter'];
/** The route's groupings, and those of the assembled views; 'none' is one series over every group. */
export type GroupBy =
  | 'none'
  | 'owner'
  | 'team'
  | 'region'
  | 'industry'
  | 'sku'
  | 'source'
  | 'campaign'
  | 'partner'
  | 'rule'
  | 'severity'
  | 'rep'
  | 'category'
  | 'assignee';
const KPI_VIEW_GROUPS: readonly GroupBy[] = ['owner', 'team', 'region', 'industry', 'sku', 'source', 'campaign', 'partner'];

export type AssembledMetricId =
  | 'findings.raised'
  | 'findings.remediated'
  | 'findings.medianMinutesToRemediate'
  | 'complaints.filed'
  | 'complaints.firstResponseMedian'
  | 'complaints.resolutionBreachRate'
  | 'complaints.csat'
  | 'complaints.nps'
  | 'attainment.bookings';
/** The assembled units, and the catalogue's (percent, days, money, ratio, per_100_promises, or one it adds later). */
export type Unit = 'count' | 'minutes' | 'ratio' | 'score' | 'percent' | 'days' | 'money' | 'per_100_promises' | (string & {});

export type CatalogEntry = Answer<'/views/kpis/catalog', 'get'>['metrics'][number];

type Offered = { unit: Unit; groups: readonly GroupBy[]; granularities: readonly Granularity[] };
export type AssembledMetric = Offered & { source: 'assembled'; id: AssembledMetricId; needs: Permission };
export type CatalogMetric = Offered & { source: 'catalog'; id: string; models: readonly string[]; definition: CatalogEntry };
export type Metric = AssembledMetric | CatalogMetric;

const FINDING_GROUPS: readonly GroupBy[] = ['none', 'rule', 'severity', 'rep'];
const COMPLAINT_GROUPS: readonly GroupBy[] = ['none', 'severity', 'category', 'region', 'assignee', 'sku'];
const MONTH_OR_WEEK: readonly Granularity[] = ['month', 'week'];

const assembled = (id: AssembledMetricId, unit: Unit, needs: Permission, groups: readonly GroupBy[], granularities = MONTH_OR_WEEK): AssembledMetric => ({
  source: 'assembled',
  id,
  unit,
  needs,
  groups,
  granularities,
});

export const ASSEMBLED_METRICS: readonly AssembledMetric[] = [
  assembled('findings.raised', 'count', 'readFindings', FINDING_GROUPS),
  assembled('findings.remediated', 'count', 'readFindings', ['none']),
  assembled('findings.medianMinutesToRemediate', 'minutes', 'readFindings', ['none']),
  assembled('complaints.filed', 'count', 'readComplaints', COMPLAINT_GROUPS),
  assembled('complaints.firstResponseMedian', 'minutes', 'readComplaints', COMPLAINT_GROUPS),
  assembled('complaints.resolutionBreachRate', 'ratio', 'readComplaints', COMPLAINT_GROUPS),
  assembled('complaints.csat', 'score', 'readComplaints', COMPLAINT_GROUPS),
  assembled('complaints.nps', 'score', 'readComplaints', COMPLAINT_GROUPS),
  // Attainment is kept per month, quarter and year, so it has no weekly series.
  assembled('attainment.bookings', 'ratio', 'readViews', ['rep', 'team', 'region'], ['month']),
];

/** A catalogue entry as the page offers it: its groups and periods as the route names them, those the page can draw. */
export const catalogMetric = (definition: CatalogEntry): CatalogMetric => ({
  source: 'catalog',
  id: definition.id,
  unit: definition.unit,
  groups: ['none', ...KPI_VIEW_GROUPS.filter((group) => definition.groupBy.includes(group))],
  granularities: GRANULARITIES.filter((granularity) => definition.periods.includes(granularity)),
  models: definition.models,
  definition,
});

/** The catalogue's metrics first (when the role reads KPIs and the catalogue has answered), then the assembled ones the role's views allow. */
export const metricsFor = (permissions: readonly Permission[], catalog: readonly CatalogEntry[] = []): Metric[] => [
  ...(permissions.includes('readKpis') ? catalog.map(catalogMetric) : []),
  ...ASSEMBLED_METRICS.filter((metric) => permissions.includes(metric.needs)),
];

export const loadCatalog = async (ledger: Ledger): Promise<CatalogEntry[]> => (await answered(ledger.GET('/views/kpis/catalog'))).metrics;

/** A period of the company calendar: from its first day (inclusive) to the next period's (exclusive), YYYY-MM-DD. */
export type Period = { from: string; to: string };
export type KpiQuery = { metric: string; granularity: Granularity; months: number; groupBy: GroupBy; model: string | null };
/** One line of the chart: a group's value in each period, null where nothing was counted; `split` is the currency or stage the API splits it by. */
export type KpiSeries = { group: string | null; split?: string; values: (number | null)[] };
/** The figures over the periods, each period named by its label (2026-04, 2026-W14, 2026-Q2, a day). */
export type KpiAnswer = { periods: string[]; unit: Unit; grouped: boolean; series: KpiSeries[] };

/**
 * The query as the metric takes it: a grouping, period and model it offers, the month where it has one
 * (the same page read per week or per day would otherwise be the surprise), else its first.
 */
export const settleQuery = (metric: Metric, query: KpiQuery): KpiQuery => {
  const granularities = metric.granularities;
  const granularity = granularities.includes(query.granularity) ? query.granularity : granularities.includes('month') ? 'month' : granularities[0]!;
  const groupBy = metric.groups.includes(query.groupBy) ? query.groupBy : metric.groups[0]!;
  const models = metric.source === 'catalog' ? metric.models : [];
  const model = models.length === 0 ? null : query.model !== null && models.includes(query.model) ? query.model : models[0]!;
  return { metric: metric.id, granularity, months: query.months, groupBy, model };
};

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const addMonths = (day: string, months: number) => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
};

/** The periods ending with the current one (today in Beijing), oldest first: days, weeks from Monday, whole months or quarters. */
export const periodsOf = (granularity: Granularity, months: number, today = companyToday()): Period[] => {
  const starts: string[] = [];
  if (granularity === 'month' || granularity === 'quarter') {
    const step = granularity === 'month' ? 1 : 3;
    const month = Number(today.slice(5, 7));
    const first = `${today.slice(0, 5)}${String(month - ((month - 1) % step)).padStart(2, '0')}-01`;
    for (let back = Math.ceil(months / step) - 1; back >= 0; back--) starts.push(addMonths(first, -back * step));
    return starts.map((from) => ({ from, to: addMonths(from, step) }));
  }
  if (granularity === 'day') {
    for (let day = addDays(addMonths(today, -months), 1); day <= today; day = addDays(day, 1)) starts.push(day);
    return starts.map((from) => ({ from, to: addDays(from, 1) }));
  }
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  const thisWeek = addDays(today, -weekday);
  const weeks = Math.round((months * 365) / 12 / 7);
  for (let back = weeks - 1; back >= 0; back--) starts.push(addDays(thisWeek, -7 * back));
  return starts.map((from) => ({ from, to: addDays(from, 7) }));
};

type KpiRouteQuery = paths['/views/kpis']['get']['parameters']['query'];

/**
 * The parameters of GET /views/kpis for a settled query: the range is the periods the page would draw,
 * as days of the company calendar. Metric, grouping and model are the catalogue's names, which the
 * route checks, so one it adds is asked without a console change.
 */
export const kpiRouteQuery = (query: KpiQuery, today = companyToday()): KpiRouteQuery => {
  const periods = periodsOf(query.granularity, query.months, today);
  return {
    metric: query.metric as KpiRouteQuery['metric'],
    period: query.granularity,
    from: periods[0]!.from,
    to: periods.at(-1)!.to,
    ...(query.groupBy === 'none' ? {} : { groupBy: query.groupBy as NonNullable<KpiRouteQuery['groupBy']> }),
    ...(query.model === null ? {} : { model: query.model as NonNullable<KpiRouteQuery['model']> }),
  };
};

type KpiView = Answer<'/views/kpis', 'get'>;
type KpiPoint = KpiView['series'][number]['points'][number];

/** A point as a number to draw: money in major units of its currency, anything else as the API gives it. */
const pointValue = ({ value, amount }: KpiPoint): number | null => (amount ? Number(majorUnits(amount)) : value);

/** A KPI view's answer as the page draws it: a series per group (and currency or stage), a value per period the API named. */
export const fromKpiView = (view: KpiView): KpiAnswer => ({
  periods: view.periods.map((period) => period.key),
  unit: view.metric.unit,
  grouped: view.groupBy !== null,
  series: view.series.map((series) => {
    const byPeriod = new Map(series.points.map((point) => [point.period, pointValue(point)] as const));
    const split = series.currency ?? series.stage;
    return { group: series.group, ...(split !== undefined ? { split } : {}), values: view.periods.map((period) => byPeriod.get(period.key) ?? null) };
  }),
});

type FindingsReport = Answer<'/views/compliance/report', 'get'>;
type SlaReport = Answer<'/views/complaints/sla', 'get'>;
type SlaFigures = SlaReport['total'];

const findingsValue = (report: FindingsReport, metric: AssembledMetricId, groupBy: GroupBy): Map<string | null, number | null> => {
  if (metric === 'findings.remediated') return new Map([[null, report.remediated]]);
  if (metric === 'findings.medianMinutesToRemediate') return new Map([[null, report.medianMinutesToRemediate]]);
  if (groupBy === 'rule') return new Map(report.byRule.map((row) => [row.ruleId, row.count]));
  if (groupBy === 'rep') return new Map(report.byRep.map((row) => [row.sellerId, row.count]));
  if (groupBy === 'severity') return new Map(Object.entries(report.bySeverity));
  return new Map([[null, report.total]]);
};

const slaFigure = (figures: SlaFigures, metric: AssembledMetricId): number | null => {
  switch (metric) {
    case 'complaints.filed':
      return figures.complaints;
    case 'complaints.firstResponseMedian':
      return figures.firstResponse.medianMinutes;
    case 'complaints.resolutionBreachRate':
      return figures.resolution.breachRate;
    case 'complaints.csat':
      return figures.csat.average;
    default:
      return figures.nps.score;
  }
};

const SLA_GROUP: Partial<Record<GroupBy, 'severity' | 'category' | 'sku' | 'assignee' | 'region'>> = {
  severity: 'severity',
  category: 'category',
  sku: 'sku',
  assignee: 'assignee',
  region: 'region',
};

/** Reads one assembled metric per period, grouped as asked, from the views that keep it. */
const loadAssembled = async (ledger: Ledger, metric: AssembledMetric, query: KpiQuery): Promise<KpiAnswer> => {
  const { groupBy, granularity } = query;
  const periods = periodsOf(granularity, query.months);
  const perPeriod = await Promise.all(
    periods.map(async ({ from, to }) => {
      if (metric.id === 'attainment.bookings') {
        const grouping = groupBy === 'team' || groupBy === 'region' ? groupBy : 'rep';
        const attainment = await answered(ledger.GET('/views/attainment', { params: { query: { period: from.slice(0, 7), groupBy: grouping } } }));
        // 8325 basis points is 83.25%.
        return new Map(attainment.items.map((row) => [row.subjectId, row.attainmentBps === null ? null : row.attainmentBps / 10_000] as const));
      }
      if (metric.needs === 'readFindings') {
        return findingsValue(await answered(ledger.GET('/views/compliance/report', { params: { query: { from, to } } })), metric.id, groupBy);
      }
      const grouping = SLA_GROUP[groupBy];
      const report = await answered(ledger.GET('/views/complaints/sla', { params: { query: { from, to, ...(grouping ? { groupBy: grouping } : {}) } } }));
      return grouping
        ? new Map(report.groups.map((group) => [group.key, slaFigure(group, metric.id)] as const))
        : new Map<string | null, number | null>([[null, slaFigure(report.total, metric.id)]]);
    }),
  );
  const groups = [...new Set(perPeriod.flatMap((values) => [...values.keys()]))].sort((a, b) => String(a).localeCompare(String(b)));
  if (groups.length === 0) groups.push(null);
  return {
    periods: periods.map(({ from }) => (granularity === 'month' ? from.slice(0, 7) : from)),
    unit: metric.unit,
    grouped: groupBy !== 'none',
    series: groups.map((group) => ({ group, values: perPeriod.map((values) => (values.has(group) ? values.get(group)! : metric.unit === 'count' ? 0 : null)) })),
  };
};

/** Reads one metric over the periods asked: from the KPI view for a catalogue metric, from the views that keep it otherwise. */
export const loadKpis = async (ledger: Ledger, metric: Metric, query: KpiQuery): Promise<KpiAnswer> => {
  const settled = settleQuery(metric, query);
  if (metric.source === 'assembled') return loadAssembled(ledger, metric, settled);
  return fromKpiView(await answered(ledger.GET('/views/kpis', { params: { query: kpiRouteQuery(settled) } })));
};
