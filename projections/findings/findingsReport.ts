import type { FindingStatus } from '../../domain/compliance/finding.js';
import type { Severity } from '../../domain/policy/policy.js';
import type { ViewReader } from '../viewReader.js';
import { FINDING_DOCS, FINDINGS, type FindingView } from './findingsProjection.js';

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

/**
 * Article 38's periodic inspection: the findings raised in the period, as they stand now,
 * counted page by page from the findings view through its raisedAt index. That is linear in
 * the period's findings, fine at the volumes here; once a period holds more than some tens of
 * thousands, a summary projection keeping counts per day, rule, rep, severity and status, and
 * remediation times in buckets for the median, would take over and this would add up days.
 */
export const findingsReport = async (views: ViewReader, period: Period): Promise<FindingsReport> => {
  const rules = new Map<string, { ruleId: string; ruleName: string; count: number }>();
  const reps = new Map<string, number>();
  const bySeverity: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  const byStatus: Record<FindingStatus, number> = { raised: 0, acknowledged: 0, remediated: 0, waived: 0, closed: 0 };
  const minutes: number[] = [];
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await views.find(FINDINGS, FINDING_DOCS, {
      where: { raisedAt: { gte: period.from, lt: period.to } },
      orderBy: { field: 'raisedAt', direction: 'asc' },
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const f of page.items as FindingView[]) {
      total += 1;
      const rule = rules.get(f.ruleId) ?? { ruleId: f.ruleId, ruleName: f.ruleName, count: 0 };
      rules.set(f.ruleId, { ...rule, count: rule.count + 1 });
      reps.set(f.sellerId, (reps.get(f.sellerId) ?? 0) + 1);
      bySeverity[f.severity] += 1;
      byStatus[f.status] += 1;
      if (f.minutesToRemediate !== null) minutes.push(f.minutesToRemediate);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return {
    period,
    total,
    byRule: [...rules.values()].sort(byCountThenKey((r) => r.ruleId)),
    byRep: [...reps].map(([sellerId, count]) => ({ sellerId, count })).sort(byCountThenKey((r) => r.sellerId)),
    bySeverity,
    byStatus,
    remediated: minutes.length,
    medianMinutesToRemediate: median(minutes),
  };
};
