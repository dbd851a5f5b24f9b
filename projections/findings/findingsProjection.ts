import type { Document } from '../../application/ports/readStore.js';
import type { ClaimExplanation } from '../../domain/compliance/claimDetector.js';
import type { FindingEvent, FindingEvidence, FindingStatus, FindingSubjectKind } from '../../domain/compliance/finding.js';
import type { Severity } from '../../domain/policy/policy.js';
import { companyDay } from '../../domain/shared/calendar.js';
import { listIndexes, type DocumentRef, type ListQuery, type Projection, type ProjectionWriter } from '../projection.js';

export const FINDINGS = 'findings';
export const FINDING_DOCS = 'findings';
/** The inspection report's counts per company day and month the findings were raised in. */
export const FINDING_PERIODS = 'finding_periods';
/** The version that keeps FINDING_PERIODS; a generation built before has none. */
export const FINDING_PERIODS_SINCE = 2;

export type FindingView = Document & {
  ruleId: string;
  ruleName: string;
  severity: Severity;
  policyRevision: number;
  status: FindingStatus;
  detail: string;
  customerId: string | null;
  sellerId: string;
  sellerManagerId: string | null;
  subject: { kind: FindingSubjectKind; id: string };
  evidence: FindingEvidence[];
  /** For a claim (CMP-01): each claim, where it stands in the statement and what matched. */
  claims?: ClaimExplanation[];
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  remediatedAt: string | null;
  remediatedBy: string | null;
  /** What was done to put it right, as the remediation stated it. */
  remediation: string | null;
  waivedAt: string | null;
  waivedBy: string | null;
  waiverReason: string | null;
  closedAt: string | null;
  closedBy: string | null;
  /** How it was settled; kept once closed, when status alone no longer says. */
  outcome: 'remediated' | 'waived' | null;
  /**
   * Article 38's time to remediate: raised -> remediated, in minutes. A waiver puts nothing
   * right, so a waived finding keeps null here and stays out of the median.
   */
  minutesToRemediate: number | null;
  updatedAt: string;
};

/**
 * The findings raised in one company day (`day`, start YYYY-MM-DD) or month (`month`, YYYY-MM), counted
 * as the report counts them and kept as each finding moves, so a report over years reads a few of
 * these rather than every finding. A rule's name is that of its first finding in the period (by
 * raisedAt, then id), as a report naming it from the first finding it meets.
 */
export type FindingPeriodView = Document & {
  grain: 'day' | 'month';
  start: string;
  total: number;
  rules: { ruleId: string; ruleName: string; count: number; firstRaisedAt: string; firstId: string }[];
  /** Each rep's count: pairs rather than objects, since a month holds hundreds and a report reads many months. */
  reps: [sellerId: string, count: number][];
  bySeverity: Record<Severity, number>;
  byStatus: Record<FindingStatus, number>;
  /** Of each finding remediated so far, raised to remediated in minutes, smallest first. */
  minutesToRemediate: number[];
};

/** The periods of a grain with their start in a range, in order: what the inspection report reads. */
export const FINDING_PERIOD_LIST: ListQuery<'start'> = {
  collection: FINDING_PERIODS,
  filters: { grain: { field: 'grain', match: 'equal' }, start: { field: 'start', match: 'range' } },
  sorts: { start: { field: 'start', direction: 'asc' } },
};

/** Same instant, same string: range filters and sort on times compare text. */
const utc = (iso: string) => new Date(iso).toISOString();

/** The day and the month of the company calendar a finding raised at `raisedAt` is counted in. */
const periodsOf = (raisedAt: string): DocumentRef[] => {
  const day = companyDay(raisedAt);
  return [
    { collection: FINDING_PERIODS, id: `day:${day}` },
    { collection: FINDING_PERIODS, id: `month:${day.slice(0, 7)}` },
  ];
};

const emptyPeriod = (id: string): FindingPeriodView => {
  const [grain, start] = id.split(':') as ['day' | 'month', string];
  return {
    id,
    grain,
    start,
    total: 0,
    rules: [],
    reps: [],
    bySeverity: { low: 0, medium: 0, high: 0, critical: 0 },
    byStatus: { raised: 0, acknowledged: 0, remediated: 0, waived: 0, closed: 0 },
    minutesToRemediate: [],
  };
};

/** Counts a finding in (1) or out of (-1) a period; a step of a finding is the finding before it out, and after it in. */
const count = (period: FindingPeriodView, finding: FindingView, sign: 1 | -1) => {
  period.total += sign;
  const rule = period.rules.find((r) => r.ruleId === finding.ruleId);
  const first = { ruleName: finding.ruleName, firstRaisedAt: finding.raisedAt, firstId: finding.id };
  if (!rule) period.rules.push({ ruleId: finding.ruleId, count: sign, ...first });
  else {
    rule.count += sign;
    if (sign > 0 && (finding.raisedAt < rule.firstRaisedAt || (finding.raisedAt === rule.firstRaisedAt && finding.id < rule.firstId))) Object.assign(rule, first);
  }
  const rep = period.reps.find(([sellerId]) => sellerId === finding.sellerId);
  if (!rep) period.reps.push([finding.sellerId, sign]);
  else rep[1] += sign;
  period.bySeverity[finding.severity] += sign;
  period.byStatus[finding.status] += sign;
  const minutes = finding.minutesToRemediate;
  if (minutes !== null) {
    // Kept in order, so a report's median over many periods sorts runs already in order.
    const at = period.minutesToRemediate.findIndex((m) => m >= minutes);
    if (sign > 0) period.minutesToRemediate.splice(at < 0 ? period.minutesToRemediate.length : at, 0, minutes);
    else period.minutesToRemediate.splice(at, 1);
  }
};

/** Moves a finding's counts in the periods it was raised in from how it stood (null: not yet raised) to how it stands. */
const recount = (view: ProjectionWriter, before: FindingView | null, after: FindingView) => {
  for (const { id } of periodsOf(after.raisedAt)) {
    const period = (view.get(FINDING_PERIODS, id) as FindingPeriodView | null) ?? emptyPeriod(id);
    if (before) count(period, before, -1);
    count(period, after, 1);
    view.put(FINDING_PERIODS, period);
  }
};

/** The findings as `GET /views/compliance/findings` filters and sorts them; a period bounds raisedAt. */
export const FINDING_LIST: ListQuery<'raised' | '-raised'> = {
  collection: FINDING_DOCS,
  filters: {
    customerId: { field: 'customerId', match: 'equal' },
    sellerId: { field: 'sellerId', match: 'equal' },
    ruleId: { field: 'ruleId', match: 'equal' },
    severity: { field: 'severity', match: 'equal' },
    status: { field: 'status', match: 'equal' },
    from: { field: 'raisedAt', match: 'range' },
    to: { field: 'raisedAt', match: 'range' },
  },
  sorts: {
    raised: { field: 'raisedAt', direction: 'asc' },
    '-raised': { field: 'raisedAt', direction: 'desc' },
  },
};

/** One document per finding: its grounds, the people involved and each step of its lifecycle with who and when. */
export const findingsProjection: Projection<FindingEvent['type']> = {
  name: FINDINGS,
  // 2: the counts per period the inspection report reads.
  version: FINDING_PERIODS_SINCE,
  collections: [
    {
      name: FINDING_DOCS,
      indexes: { status: 'string', ruleId: 'string', severity: 'string', customerId: 'string', sellerId: 'string', raisedAt: 'string' },
      compoundIndexes: listIndexes(FINDING_LIST),
    },
    { name: FINDING_PERIODS, indexes: { grain: 'string', start: 'string' }, compoundIndexes: listIndexes(FINDING_PERIOD_LIST) },
  ],
  queries: [FINDING_LIST, FINDING_PERIOD_LIST],
  handles: ['FindingRaised', 'FindingAcknowledged', 'FindingRemediated', 'FindingWaived', 'FindingClosed'],
  documentsFor: (event) => [
    { collection: FINDING_DOCS, id: event.data.findingId },
    ...(event.type === 'FindingRaised' ? periodsOf(utc(event.data.raisedAt)) : []),
  ],
  documentsThrough(event, view) {
    const finding = event.type === 'FindingRaised' ? null : (view.get(FINDING_DOCS, event.data.findingId) as FindingView | null);
    return finding ? periodsOf(finding.raisedAt) : [];
  },
  apply(event, view) {
    const at = utc(String(event.metadata.occurredAt));
    if (event.type === 'FindingRaised') {
      const { findingId, ruleId, ruleName, severity, policyRevision, detail, evidence, customerId, sellerId, sellerManagerId, subject, raisedAt, claims } = event.data;
      const raised: FindingView = {
        id: findingId,
        ruleId,
        ruleName,
        severity,
        policyRevision,
        status: 'raised',
        detail,
        customerId: customerId ?? null,
        sellerId,
        sellerManagerId: sellerManagerId ?? null,
        subject,
        evidence,
        ...(claims ? { claims } : {}),
        raisedAt: utc(raisedAt),
        acknowledgedAt: null,
        acknowledgedBy: null,
        remediatedAt: null,
        remediatedBy: null,
        remediation: null,
        waivedAt: null,
        waivedBy: null,
        waiverReason: null,
        closedAt: null,
        closedBy: null,
        outcome: null,
        minutesToRemediate: null,
        updatedAt: at,
      };
      view.put(FINDING_DOCS, raised);
      recount(view, null, raised);
      return;
    }
    const current = view.get(FINDING_DOCS, event.data.findingId) as FindingView | null;
    if (!current) return;
    const put = (changes: Partial<FindingView>) => {
      const after: FindingView = { ...current, ...changes, updatedAt: at };
      view.put(FINDING_DOCS, after);
      recount(view, current, after);
    };
    switch (event.type) {
      case 'FindingAcknowledged':
        return put({ status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: event.data.acknowledgedBy });
      case 'FindingRemediated':
        return put({
          status: 'remediated',
          remediatedAt: at,
          remediatedBy: event.data.remediatedBy,
          remediation: event.data.evidence,
          outcome: 'remediated',
          minutesToRemediate: (Date.parse(at) - Date.parse(current.raisedAt)) / 60_000,
        });
      case 'FindingWaived':
        return put({ status: 'waived', waivedAt: at, waivedBy: event.data.waivedBy, waiverReason: event.data.reason, outcome: 'waived' });
      case 'FindingClosed':
        return put({ status: 'closed', closedAt: at, closedBy: event.data.closedBy });
    }
  },
};
