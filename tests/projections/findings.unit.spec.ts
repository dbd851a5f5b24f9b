import { beforeEach, describe, expect, it } from 'vitest';
import { FINDING_DOCS, FINDING_PERIODS, findingsProjection, type FindingView } from '../../projections/findings/findingsProjection.js';
import { projectionSpecification } from '../support/projectionSpecification.js';

const hash = 'a'.repeat(64);

const raisedData = {
  findingId: 'f1',
  ruleId: 'CMP-01',
  ruleName: 'No absolute claims',
  severity: 'high',
  policyRevision: 3,
  detail: '"Guaranteed 100% uptime" in the promise statement',
  evidence: [{ streamId: 'promise-p1', revision: 0, hash }],
  customerId: 'c1',
  sellerId: 'rep-1',
  sellerManagerId: 'mgr-1',
  subject: { kind: 'promise', id: 'p1' },
  raisedAt: '2026-03-02T08:00:00Z',
};

const raised = (data: Record<string, unknown> = {}, occurredAt = '2026-03-02T08:00:00.250Z') => ({
  streamId: `finding-${String(data.findingId ?? 'f1')}`,
  type: 'FindingRaised',
  data: { ...raisedData, ...data },
  metadata: { occurredAt },
});
const step = (type: string, data: Record<string, unknown>, occurredAt: string) => ({
  streamId: 'finding-f1',
  type,
  data: { findingId: 'f1', ...data },
  metadata: { occurredAt, customerId: 'c1' },
});
const acknowledged = (occurredAt = '2026-03-02T10:00:00Z') => step('FindingAcknowledged', { acknowledgedBy: 'rep-1' }, occurredAt);
const remediated = (occurredAt = '2026-03-04T10:30:00Z') =>
  step('FindingRemediated', { remediatedBy: 'rep-1', evidence: 'Corrected statement sent to the customer in writing' }, occurredAt);
const waived = (occurredAt = '2026-03-03T09:00:00Z') => step('FindingWaived', { waivedBy: 'cco-1', reason: 'Contractual SLA backs the claim' }, occurredAt);
const closed = (outcome: 'remediated' | 'waived', occurredAt = '2026-03-05T09:00:00Z') => step('FindingClosed', { closedBy: 'cco-1', outcome }, occurredAt);

const justRaised: FindingView = {
  id: 'f1',
  ruleId: 'CMP-01',
  ruleName: 'No absolute claims',
  severity: 'high',
  policyRevision: 3,
  status: 'raised',
  detail: '"Guaranteed 100% uptime" in the promise statement',
  customerId: 'c1',
  sellerId: 'rep-1',
  sellerManagerId: 'mgr-1',
  subject: { kind: 'promise', id: 'p1' },
  evidence: [{ streamId: 'promise-p1', revision: 0, hash }],
  raisedAt: '2026-03-02T08:00:00.000Z',
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
  updatedAt: '2026-03-02T08:00:00.250Z',
};

let spec: ReturnType<typeof projectionSpecification>;
const finding = (id = 'f1') => spec.document(FINDING_DOCS, id);

beforeEach(() => {
  spec = projectionSpecification(findingsProjection);
});

describe('findings projection', () => {
  it("counts each finding in the company day and month it was raised in, as it stands now, a rule named after its first finding there", () => {
    // 1 March 00:30 in Beijing, though 28 February in UTC; f2 is raised later that day under an older wording of the rule.
    spec.given(
      raised({ raisedAt: '2026-02-28T16:30:00Z' }),
      raised({ findingId: 'f2', raisedAt: '2026-03-01T01:00:00Z', ruleName: 'Old wording', sellerId: 'rep-2', severity: 'low' }),
      acknowledged(),
      remediated('2026-03-01T16:00:00Z'),
    );
    const day = {
      id: 'day:2026-03-01',
      grain: 'day',
      start: '2026-03-01',
      total: 2,
      rules: [{ ruleId: 'CMP-01', ruleName: 'No absolute claims', count: 2, firstRaisedAt: '2026-02-28T16:30:00.000Z', firstId: 'f1' }],
      reps: [
        ['rep-1', 1],
        ['rep-2', 1],
      ],
      bySeverity: { low: 1, medium: 0, high: 1, critical: 0 },
      byStatus: { raised: 1, acknowledged: 0, remediated: 1, waived: 0, closed: 0 },
      minutesToRemediate: [1410],
    };
    expect(spec.documents(FINDING_PERIODS)).toEqual([day, { ...day, id: 'month:2026-03', grain: 'month', start: '2026-03' }]);
  });

  it('follows exactly the five steps of a finding', () => {
    expect([...findingsProjection.handles].sort()).toEqual(['FindingAcknowledged', 'FindingClosed', 'FindingRaised', 'FindingRemediated', 'FindingWaived']);
  });

  it('records a raised finding with its grounds and people, raisedAt in UTC with milliseconds, and every later step still empty', () => {
    spec.given(raised());
    expect(finding()).toEqual(justRaised);
  });

  it('keeps no customer and no seller manager as null when the finding names neither', () => {
    const { customerId: _c, sellerManagerId: _m, ...withoutThem } = raisedData;
    spec.given({ streamId: 'finding-f2', type: 'FindingRaised', data: { ...withoutThem, findingId: 'f2' }, metadata: { occurredAt: '2026-03-02T08:00:00.250Z' } });
    expect(finding('f2')).toEqual({ ...justRaised, id: 'f2', customerId: null, sellerManagerId: null });
  });

  it('keeps the explanation of each claim a finding on a claim carries', () => {
    const claims = [
      {
        category: 'guarantee',
        start: 0,
        end: 24,
        text: 'Guaranteed 100% uptime',
        matched: { kind: 'structure', entry: 'GUA-1', name: 'A guarantee', terms: [{ role: 'guarantees', entry: 'guaranteed', start: 0, end: 10, text: 'Guaranteed' }] },
      },
    ];
    spec.given(raised({ findingId: 'f3', claims }));
    expect(finding('f3')).toEqual({ ...justRaised, id: 'f3', claims });
  });

  it('marks an acknowledged finding with who acknowledged it and when', () => {
    spec.given(raised(), acknowledged());
    expect(finding()).toEqual({
      ...justRaised,
      status: 'acknowledged',
      acknowledgedAt: '2026-03-02T10:00:00.000Z',
      acknowledgedBy: 'rep-1',
      updatedAt: '2026-03-02T10:00:00.000Z',
    });
  });

  it('marks a remediated finding with who, when, what was done, its outcome, and the minutes from raising to remediation', () => {
    spec.given(raised(), acknowledged(), remediated());
    expect(finding()).toEqual({
      ...justRaised,
      status: 'remediated',
      acknowledgedAt: '2026-03-02T10:00:00.000Z',
      acknowledgedBy: 'rep-1',
      remediatedAt: '2026-03-04T10:30:00.000Z',
      remediatedBy: 'rep-1',
      remediation: 'Corrected statement sent to the customer in writing',
      outcome: 'remediated',
      minutesToRemediate: 3030, // 2 days and 2.5 hours
      updatedAt: '2026-03-04T10:30:00.000Z',
    });
  });

  it('counts the time to remediate from raisedAt in the data, not from when the raising was recorded, unrounded', () => {
    spec.given(raised({ raisedAt: '2026-03-02T08:00:00.000Z' }, '2026-03-02T08:05:00.000Z'), acknowledged(), remediated('2026-03-02T09:00:30.000Z'));
    expect(finding()).toMatchObject({ minutesToRemediate: 60.5 });
  });

  it('marks a waived finding with who waived it, why and its outcome, leaving the time to remediate null', () => {
    spec.given(raised(), acknowledged(), waived());
    expect(finding()).toEqual({
      ...justRaised,
      status: 'waived',
      acknowledgedAt: '2026-03-02T10:00:00.000Z',
      acknowledgedBy: 'rep-1',
      waivedAt: '2026-03-03T09:00:00.000Z',
      waivedBy: 'cco-1',
      waiverReason: 'Contractual SLA backs the claim',
      outcome: 'waived',
      updatedAt: '2026-03-03T09:00:00.000Z',
    });
  });

  it('closes a remediated finding keeping its outcome and its whole trail', () => {
    spec.given(raised(), acknowledged(), remediated(), closed('remediated'));
    expect(finding()).toEqual({
      ...justRaised,
      status: 'closed',
      acknowledgedAt: '2026-03-02T10:00:00.000Z',
      acknowledgedBy: 'rep-1',
      remediatedAt: '2026-03-04T10:30:00.000Z',
      remediatedBy: 'rep-1',
      remediation: 'Corrected statement sent to the customer in writing',
      outcome: 'remediated',
      minutesToRemediate: 3030,
      closedAt: '2026-03-05T09:00:00.000Z',
      closedBy: 'cco-1',
      updatedAt: '2026-03-05T09:00:00.000Z',
    });
  });

  it('closes a waived finding keeping waived as its outcome', () => {
    spec.given(raised(), acknowledged(), waived(), closed('waived'));
    expect(finding()).toEqual({
      ...justRaised,
      status: 'closed',
      acknowledgedAt: '2026-03-02T10:00:00.000Z',
      acknowledgedBy: 'rep-1',
      waivedAt: '2026-03-03T09:00:00.000Z',
      waivedBy: 'cco-1',
      waiverReason: 'Contractual SLA backs the claim',
      outcome: 'waived',
      closedAt: '2026-03-05T09:00:00.000Z',
      closedBy: 'cco-1',
      updatedAt: '2026-03-05T09:00:00.000Z',
    });
  });

  it('keeps each finding in its own document', () => {
    spec.given(raised(), raised({ findingId: 'f2', ruleId: 'CMP-05', severity: 'medium' }), acknowledged());
    expect(spec.documents(FINDING_DOCS).map(({ id, ruleId, severity, status }) => ({ id, ruleId, severity, status }))).toEqual([
      { id: 'f1', ruleId: 'CMP-01', severity: 'high', status: 'acknowledged' },
      { id: 'f2', ruleId: 'CMP-05', severity: 'medium', status: 'raised' },
    ]);
  });

  it('ignores later steps of a finding it never saw raised', () => {
    spec.given(acknowledged(), remediated(), waived(), closed('remediated'));
    expect(spec.documents(FINDING_DOCS)).toEqual([]);
  });

  it('ignores event types it does not handle', () => {
    spec.given(raised(), step('FindingReopened', { reopenedBy: 'cco-1' }, '2026-03-06T09:00:00Z'));
    expect(finding()).toEqual(justRaised);
  });
});
