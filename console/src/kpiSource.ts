import { answered, type Answer, type Ledger, type Permission } from './api';
import { companyToday } from './format';

/**
 * The metric series the KPI page draws, and the one place they are fetched. Today they come from
 * the views the API has (the inspection report and the complaint service levels, asked once per
 * period, and the pipeline as it stands); a KPI view that answers series itself replaces the body
 * of loadKpis and nothing else.
 */
export type Granularity = 'month' | 'week';
export type GroupBy = 'none' | 'rule' | 'severity' | 'rep' | 'team' | 'category' | 'region' | 'assignee' | 'sku';
export type MetricId =
  | 'findings.raised'
  | 'findings.remediated'
  | 'findings.medianMinutesToRemediate'
  | 'complaints.filed'
  | 'complaints.firstResponseMedian'
  | 'complaints.resolutionBreachRate'
  | 'complaints.csat'
  | 'complaints.nps'
  | 'attainment.bookings';
export type Unit = 'count' | 'minutes' | 'ratio' | 'score';

export type Metric = { id: MetricId; unit: Unit; needs: Permission; groups: readonly GroupBy[]; monthlyOnly?: true };

const FINDING_GROUPS: readonly GroupBy[] = ['none', 'rule', 'severity', 'rep'];
const COMPLAINT_GROUPS: readonly GroupBy[] = ['none', 'severity', 'category', 'region', 'assignee', 'sku'];

export const METRICS: readonly Metric[] = [
  { id: 'findings.raised', unit: 'count', needs: 'readFindings', groups: FINDING_GROUPS },
  { id: 'findings.remediated', unit: 'count', needs: 'readFindings', groups: ['none'] },
  { id: 'findings.medianMinutesToRemediate', unit: 'minutes', needs: 'readFindings', groups: ['none'] },
  { id: 'complaints.filed', unit: 'count', needs: 'readComplaints', groups: COMPLAINT_GROUPS },
  { id: 'complaints.firstResponseMedian', unit: 'minutes', needs: 'readComplaints', groups: COMPLAINT_GROUPS },
  { id: 'complaints.resolutionBreachRate', unit: 'ratio', needs: 'readComplaints', groups: COMPLAINT_GROUPS },
  { id: 'complaints.csat', unit: 'score', needs: 'readComplaints', groups: COMPLAINT_GROUPS },
  { id: 'complaints.nps', unit: 'score', needs: 'readComplaints', groups: COMPLAINT_GROUPS },
  // Attainment is kept per month, quarter and year, so it has no weekly series.
  { id: 'attainment.bookings', unit: 'ratio', needs: 'readViews', groups: ['rep', 'team', 'region'], monthlyOnly: true },
];

export const metricsFor = (permissions: readonly Permission[]) => METRICS.filter((metric) => permissions.includes(metric.needs));

/** A period of the company calendar: from its first day (inclusive) to the next period's (exclusive), YYYY-MM-DD. */
export type Period = { from: string; to: string };
export type KpiQuery = { metric: MetricId; granularity: Granularity; months: number; groupBy: GroupBy };
/** One line of the chart: a group's value in each period, null where nothing was counted. */
export type KpiSeries = { group: string | null; values: (number | null)[] };
export type KpiAnswer = { periods: Period[]; unit: Unit; series: KpiSeries[] };

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const addMonths = (day: string, months: number) => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
};

/** The periods ending with the current one (today in Beijing), oldest first: whole months, or weeks from Monday. */
export const periodsOf = (granularity: Granularity, months: number, today = companyToday()): Period[] => {
  const starts: string[] = [];
  if (granularity === 'month') {
    const thisMonth = `${today.slice(0, 7)}-01`;
    for (let back = months - 1; back >= 0; back--) starts.push(addMonths(thisMonth, -back));
    return starts.map((from) => ({ from, to: addMonths(from, 1) }));
  }
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  const thisWeek = addDays(today, -weekday);
  const weeks = Math.round((months * 365) / 12 / 7);
  for (let back = weeks - 1; back >= 0; back--) starts.push(addDays(thisWeek, -7 * back));
  return starts.map((from) => ({ from, to: addDays(from, 7) }));
};

type FindingsReport = Answer<'/views/compliance/report', 'get'>;
type SlaReport = Answer<'/views/complaints/sla', 'get'>;
type SlaFigures = SlaReport['total'];

const findingsValue = (report: FindingsReport, metric: MetricId, groupBy: GroupBy): Map<string | null, number | null> => {
  if (metric === 'findings.remediated') return new Map([[null, report.remediated]]);
  if (metric === 'findings.medianMinutesToRemediate') return new Map([[null, report.medianMinutesToRemediate]]);
  if (groupBy === 'rule') return new Map(report.byRule.map((row) => [row.ruleId, row.count]));
  if (groupBy === 'rep') return new Map(report.byRep.map((row) => [row.sellerId, row.count]));
  if (groupBy === 'severity') return new Map(Object.entries(report.bySeverity));
  return new Map([[null, report.total]]);
};

const slaFigure = (figures: SlaFigures, metric: MetricId): number | null => {
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

/** Reads one metric per period, grouped as asked, from the views the API serves. */
export const loadKpis = async (ledger: Ledger, query: KpiQuery): Promise<KpiAnswer> => {
  const metric = METRICS.find((m) => m.id === query.metric)!;
  const groupBy = metric.groups.includes(query.groupBy) ? query.groupBy : metric.groups[0]!;
  const periods = periodsOf(metric.monthlyOnly ? 'month' : query.granularity, query.months);
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
    periods,
    unit: metric.unit,
    series: groups.map((group) => ({ group, values: perPeriod.map((values) => (values.has(group) ? values.get(group)! : metric.unit === 'count' ? 0 : null)) })),
  };
};
