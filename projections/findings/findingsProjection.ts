import type { Document } from '../../application/ports/readStore.js';
import type { ClaimExplanation } from '../../domain/compliance/claimDetector.js';
import type { FindingEvent, FindingEvidence, FindingStatus, FindingSubjectKind } from '../../domain/compliance/finding.js';
import type { Severity } from '../../domain/policy/policy.js';
import { listIndexes, type ListQuery, type Projection } from '../projection.js';

export const FINDINGS = 'findings';
export const FINDING_DOCS = 'findings';

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

/** Same instant, same string: range filters and sort on times compare text. */
const utc = (iso: string) => new Date(iso).toISOString();

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
  version: 1,
  collections: [
    {
      name: FINDING_DOCS,
      indexes: { status: 'string', ruleId: 'string', severity: 'string', customerId: 'string', sellerId: 'string', raisedAt: 'string' },
      compoundIndexes: listIndexes(FINDING_LIST),
    },
  ],
  queries: [FINDING_LIST],
  handles: ['FindingRaised', 'FindingAcknowledged', 'FindingRemediated', 'FindingWaived', 'FindingClosed'],
  documentsFor: (event) => [{ collection: FINDING_DOCS, id: event.data.findingId }],
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
      return;
    }
    const current = view.get(FINDING_DOCS, event.data.findingId) as FindingView | null;
    if (!current) return;
    const put = (changes: Partial<FindingView>) => view.put(FINDING_DOCS, { ...current, ...changes, updatedAt: at });
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
