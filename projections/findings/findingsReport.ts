import type { FindingStatus } from '../../domain/compliance/finding.js';
import type { Severity } from '../../domain/policy/policy.js';
import { addDays, companyDay, startOfCompanyDay } from '../../domain/shared/calendar.js';
import { ViewNotReady, type ViewReader } from '../viewReader.js';
import { FINDING_LIST, FINDING_PERIOD_LIST, FINDING_PERIODS_SINCE, FINDINGS, type FindingPeriodView, type FindingView } from './findingsProjection.js';

/** A period: from inclusive, to exclusive, as UTC ISO strings. */
export type Period = { from: string; to: string };

export type FindingsReport = {
  period: Period;
  total: number;
  byRule: { ruleId: string; ruleName: string; count: number }[];
  byRep: { sellerId: string; count: number }[];
  bySeverity: Record<Severity, number>;
  byStatus: Record<FindingStatus, number>;
  /** Findings of the period remediated so far (closed ones included), and the median minutes from raised to remediated. */
  remediated: number;
  medianMinutesToRemediate: number | null;
};

const PAGE = 500;

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const byCountThenKey = <T extends { count: number }>(key: (row: T) => string) => (a: T, b: T) => b.count - a.count || key(a).localeCompare(key(b));

/** The counts of a report being added up, from periods' counts and single findings alike. */
class Tally {
  private total = 0;
  /** Each rule's count, and the name of its first finding (by raisedAt, then id) among those added. */
  private readonly rules = new Map<string, { count: number; ruleName: string; firstRaisedAt: string; firstId: string }>();
  private readonly reps = new Map<string, number>();
  private readonly bySeverity: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  private readonly byStatus: Record<FindingStatus, number> = { raised: 0, acknowledged: 0, remediated: 0, waived: 0, closed: 0 };
  private readonly minutes: number[] = [];

  addFinding(f: FindingView): void {
    this.addPeriod({
      total: 1,
      rules: [{ ruleId: f.ruleId, ruleName: f.ruleName, count: 1, firstRaisedAt: f.raisedAt, firstId: f.id }],
      reps: [[f.sellerId, 1]],
      bySeverity: { ...ZERO_SEVERITY, [f.severity]: 1 },
      byStatus: { ...ZERO_STATUS, [f.status]: 1 },
      minutesToRemediate: f.minutesToRemediate === null ? [] : [f.minutesToRemediate],
    });
  }

  addPeriod(p: Pick<FindingPeriodView, 'total' | 'rules' | 'reps' | 'bySeverity' | 'byStatus' | 'minutesToRemediate'>): void {
    this.total += p.total;
    for (const { ruleId, count, ...first } of p.rules) {
      const rule = this.rules.get(ruleId);
      const earlier = !rule || first.firstRaisedAt < rule.firstRaisedAt || (first.firstRaisedAt === rule.firstRaisedAt && first.firstId < rule.firstId);
      this.rules.set(ruleId, { ...(earlier ? first : rule), count: (rule?.count ?? 0) + count });
    }
    for (const [sellerId, count] of p.reps) this.reps.set(sellerId, (this.reps.get(sellerId) ?? 0) + count);
    for (const severity of Object.keys(this.bySeverity) as Severity[]) this.bySeverity[severity] += p.bySeverity[severity];
    for (const status of Object.keys(this.byStatus) as FindingStatus[]) this.byStatus[status] += p.byStatus[status];
    this.minutes.push(...p.minutesToRemediate);
  }

  report(period: Period): FindingsReport {
    return {
      period,
      total: this.total,
      byRule: [...this.rules].map(([ruleId, { ruleName, count }]) => ({ ruleId, ruleName, count })).sort(byCountThenKey((r) => r.ruleId)),
      byRep: [...this.reps].map(([sellerId, count]) => ({ sellerId, count })).sort(byCountThenKey((r) => r.sellerId)),
      bySeverity: this.bySeverity,
      byStatus: this.byStatus,
      remediated: this.minutes.length,
      medianMinutesToRemediate: median(this.minutes),
    };
  }
}

const ZERO_SEVERITY: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
const ZERO_STATUS: Record<FindingStatus, number> = { raised: 0, acknowledged: 0, remediated: 0, waived: 0, closed: 0 };

/** Every finding raised in [from, to), one at a time, page by page through raisedAt. */
const scan = async (views: ViewReader, from: string, to: string, tally: Tally) => {
  let cursor: string | undefined;
  do {
    const page = await views.find(FINDINGS, FINDING_LIST.collection, {
      where: { raisedAt: { gte: from, lt: to } },
      orderBy: FINDING_LIST.sorts.raised,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const finding of page.items as FindingView[]) tally.addFinding(finding);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
};

/** The counts of every period of a grain whose start is in [from, to). */
const addPeriods = async (views: ViewReader, grain: 'day' | 'month', from: string, to: string, tally: Tally) => {
  if (from >= to) return;
  const periods = await views.all(FINDINGS, FINDING_PERIOD_LIST.collection, {
    where: { grain, start: { gte: from, lt: to } },
    orderBy: FINDING_PERIOD_LIST.sorts.start,
    sinceVersion: FINDING_PERIODS_SINCE,
  });
  for (const period of periods as FindingPeriodView[]) tally.addPeriod(period);
};

const nextMonth = (month: string): string => {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return number === 12 ? `${String(year + 1).padStart(4, '0')}-01` : `${String(year).padStart(4, '0')}-${String(number + 1).padStart(2, '0')}`;
};

/**
 * Article 38's periodic inspection: the findings raised in the period, as they stand now. The whole
 * company months and days inside the period are read from the counts the findings view keeps per
 * period; only the part of a day at either end, when a bound falls inside one, is counted finding
 * by finding. A view built before it kept those counts (rebuilding after an upgrade) is counted
 * finding by finding throughout, as before.
 */
export const findingsReport = async (views: ViewReader, period: Period): Promise<FindingsReport> => {
  const { from, to } = period;
  const tally = new Tally();
  // The first day that starts at or after `from`, and the last that starts at or before `to`: compared as text, as the findings' raisedAt are.
  let firstDay = companyDay(from);
  if (startOfCompanyDay(firstDay) < from) firstDay = addDays(firstDay, 1);
  let endDay = companyDay(to);
  if (startOfCompanyDay(endDay) > to) endDay = addDays(endDay, -1);
  if (firstDay >= endDay) {
    await scan(views, from, to, tally);
    return tally.report(period);
  }
  try {
    const firstMonth = firstDay.endsWith('-01') ? firstDay.slice(0, 7) : nextMonth(firstDay.slice(0, 7));
    const endMonth = endDay.slice(0, 7);
    if (firstMonth < endMonth) {
      await addPeriods(views, 'day', firstDay, `${firstMonth}-01`, tally);
      await addPeriods(views, 'month', firstMonth, endMonth, tally);
      await addPeriods(views, 'day', `${endMonth}-01`, endDay, tally);
    } else {
      await addPeriods(views, 'day', firstDay, endDay, tally);
    }
  } catch (error) {
    if (!(error instanceof ViewNotReady)) throw error;
    const whole = new Tally();
    await scan(views, from, to, whole);
    return whole.report(period);
  }
  await scan(views, from, startOfCompanyDay(firstDay), tally);
  await scan(views, startOfCompanyDay(endDay), to, tally);
  return tally.report(period);
};
