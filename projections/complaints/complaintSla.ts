import type { ServiceClock } from '../../domain/complaint/serviceLevels.js';
import type { ViewReader } from '../viewReader.js';
import { COMPLAINT_DOCS, COMPLAINTS, type ComplaintView } from './complaintsProjection.js';

/** A period: from inclusive, to exclusive, as UTC ISO strings. */
export type Period = { from: string; to: string };

export const SLA_GROUPS = ['severity', 'category', 'sku', 'assignee', 'region'] as const;
export type SlaGroup = (typeof SLA_GROUPS)[number];

/** One clock over a set of complaints: how many stopped, how long they took, how many ran out first. */
export type ClockFigures = {
  stopped: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
  breached: number;
  /** Breached over every complaint of the set, stopped or not; null for an empty set. */
  breachRate: number | null;
};

export type SatisfactionFigures = {
  csat: { responses: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
  /** Net promoter score: the share of promoters (9-10) less that of detractors (0-6), in points from -100 to 100. */
  nps: { responses: number; score: number | null; promoters: number; passives: number; detractors: number };
};

export type SlaFigures = {
  complaints: number;
  firstResponse: ClockFigures;
  resolution: ClockFigures;
  /** Reopened over resolved at least once; null when none was resolved. */
  reopenRate: number | null;
} & SatisfactionFigures;

export type SlaReport = { period: Period; groupBy: SlaGroup | null; total: SlaFigures; groups: ({ key: string } & SlaFigures)[] };

const PAGE = 500;

const median = (sorted: readonly number[]): number | null => {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Nearest rank: the smallest value at least 90% of the values do not exceed. */
const p90 = (sorted: readonly number[]): number | null => (sorted.length === 0 ? null : sorted[Math.ceil(0.9 * sorted.length) - 1]!);

const share = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/** What the report needs of one complaint, so a long period is not held in memory document by document. */
type Sample = {
  group: Record<SlaGroup, string>;
  clocks: Record<ServiceClock, { minutes: number | null; breached: boolean }>;
  resolved: boolean;
  reopened: boolean;
  rating: { csat: number; nps: number | null } | null;
};

const sampleOf = (complaint: ComplaintView): Sample => ({
  group: {
    severity: complaint.severity,
    category: complaint.category,
    sku: complaint.sku ?? 'none',
    assignee: complaint.assigneeId ?? 'unassigned',
    region: complaint.region,
  },
  clocks: {
    firstResponse: { minutes: complaint.clocks.firstResponse.clockMinutes, breached: complaint.clocks.firstResponse.breached },
    resolution: { minutes: complaint.clocks.resolution.clockMinutes, breached: complaint.clocks.resolution.breached },
  },
  resolved: complaint.resolvedCount > 0,
  reopened: complaint.reopenCount > 0,
  rating: complaint.rating && { csat: complaint.rating.csat, nps: complaint.rating.nps },
});

const clockFigures = (complaints: readonly Sample[], clock: ServiceClock): ClockFigures => {
  const minutes = complaints.flatMap((c) => (c.clocks[clock].minutes === null ? [] : [c.clocks[clock].minutes])).sort((a, b) => a - b);
  const breached = complaints.filter((c) => c.clocks[clock].breached).length;
  return { stopped: minutes.length, medianMinutes: median(minutes), p90Minutes: p90(minutes), breached, breachRate: share(breached, complaints.length) };
};

const satisfaction = (complaints: readonly Sample[]): SatisfactionFigures => {
  const ratings = complaints.flatMap((c) => (c.rating ? [c.rating] : []));
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const { csat } of ratings) distribution[String(csat) as keyof typeof distribution] += 1;
  const scores = ratings.flatMap((r) => (r.nps === null ? [] : [r.nps]));
  const promoters = scores.filter((score) => score >= 9).length;
  const detractors = scores.filter((score) => score <= 6).length;
  return {
    csat: {
      responses: ratings.length,
      average: ratings.length === 0 ? null : Math.round((ratings.reduce((sum, r) => sum + r.csat, 0) / ratings.length) * 100) / 100,
      distribution,
    },
    nps: {
      responses: scores.length,
      score: scores.length === 0 ? null : Math.round(((promoters - detractors) / scores.length) * 1000) / 10,
      promoters,
      passives: scores.length - promoters - detractors,
      detractors,
    },
  };
};

const figures = (complaints: readonly Sample[]): SlaFigures => {
  const resolved = complaints.filter((c) => c.resolved);
  return {
    complaints: complaints.length,
    firstResponse: clockFigures(complaints, 'firstResponse'),
    resolution: clockFigures(complaints, 'resolution'),
    reopenRate: share(resolved.filter((c) => c.reopened).length, resolved.length),
    ...satisfaction(complaints),
  };
};

/**
 * The service levels met over the complaints filed in a period, as they stand now (articles 7, 18,
 * 29): first-response and resolution times (median and 90th percentile of the clocks that stopped,
 * in counted minutes, paused time left out), breach and reopen rates, satisfaction and net promoter
 * score, overall and per group. Linear in the period's complaints, read page by page through filedAt.
 */
export const complaintSlaReport = async (views: ViewReader, period: Period, groupBy: SlaGroup | null): Promise<SlaReport> => {
  const samples: Sample[] = [];
  let cursor: string | undefined;
  do {
    const page = await views.find(COMPLAINTS, COMPLAINT_DOCS, {
      where: { filedAt: { gte: period.from, lt: period.to } },
      orderBy: { field: 'filedAt', direction: 'asc' },
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    samples.push(...(page.items as ComplaintView[]).map(sampleOf));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const groups = new Map<string, Sample[]>();
  if (groupBy) {
    for (const sample of samples) {
      const members = groups.get(sample.group[groupBy]) ?? [];
      members.push(sample);
      groups.set(sample.group[groupBy], members);
    }
  }
  return {
    period,
    groupBy,
    total: figures(samples),
    groups: [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, members]) => ({ key, ...figures(members) })),
  };
};
