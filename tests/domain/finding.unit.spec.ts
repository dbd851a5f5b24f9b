import { describe, expect, it } from 'vitest';
import { findingDecider, findingEventSchemas, findingKey, findingRules, type FindingEvent, type RaiseFinding } from '../../domain/compliance/finding.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const system = { actor: { id: 'compliance-checker', role: 'admin' } };
const spec = deciderSpecification(findingDecider, { ...defaultContext, ...system });
const now = defaultContext.now;

const seller = { actor: { id: 'rep-1', role: 'sales_rep' } };
const sellersManager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
const officer = { actor: { id: 'co-1', role: 'compliance_officer' } };
const officerWhoManagesTheSeller = { actor: { id: 'mgr-1', role: 'compliance_officer' } };
const officerWhoIsTheSeller = { actor: { id: 'rep-1', role: 'compliance_officer' } };
const otherManager = { actor: { id: 'mgr-2', role: 'sales_manager' } };
const hash = 'a'.repeat(64);

const raise: RaiseFinding = {
  type: 'RaiseFinding',
  findingId: 'f1',
  ruleId: 'CMP-01',
  ruleName: 'No absolute or guaranteeing claims',
  severity: 'critical',
  policyRevision: 1,
  detail: 'Makes absolute or guaranteeing claims: "100%防护"',
  evidence: [{ streamId: 'promise-pr1', revision: 0, hash }],
  customerId: 'c1',
  sellerId: 'rep-1',
  sellerManagerId: 'mgr-1',
  subject: { kind: 'promise', id: 'pr1' },
};
const { type: _raise, ...raisedData } = raise;
const raised: FindingEvent = { type: 'FindingRaised', data: { ...raisedData, raisedAt: now } };
const acknowledged: FindingEvent = { type: 'FindingAcknowledged', data: { findingId: 'f1', acknowledgedBy: 'rep-1' } };
const remediated: FindingEvent = {
  type: 'FindingRemediated',
  data: { findingId: 'f1', remediatedBy: 'rep-1', evidence: 'Correction sent to the customer on 2026-11-28, interaction i-9' },
};
const waived: FindingEvent = { type: 'FindingWaived', data: { findingId: 'f1', waivedBy: 'co-1', reason: 'Quoted from the vendor datasheet, withdrawn since' } };
const closedRemediated: FindingEvent = { type: 'FindingClosed', data: { findingId: 'f1', closedBy: 'co-1', outcome: 'remediated' } };

describe('Finding', () => {
  describe('raising', () => {
    it('raises a finding with its rule, severity, policy revision, evidence and the people involved', () => spec.given([]).when(raise).then([raised]));

    it('raises a finding on a claim with each claim explained: its category, where it stands in the statement and what matched', () => {
      const claims = [{ category: 'absolute' as const, start: 7, end: 13, text: '100%防护', matched: { kind: 'phrase' as const, entry: '100%防护', source: 'bannedClaims' as const } }];
      return spec
        .given([])
        .when({ ...raise, claims })
        .then([{ type: 'FindingRaised', data: { ...raisedData, raisedAt: now, claims } }]);
    });

    it('raises a finding on a seller with no manager and no customer', () => {
      const { customerId: _c, sellerManagerId: _m, ...bare } = raise;
      const { type: _t, ...bareData } = bare;
      return spec.given([]).when(bare).then([{ type: 'FindingRaised', data: { ...bareData, raisedAt: now } }]);
    });

    it(`refuses to raise twice (${findingRules.raisedOnce.id})`, () => spec.given([raised]).when(raise).thenRefuses(findingRules.raisedOnce));

    it(`refuses a finding that rests on no event (${findingRules.groundsStated.id})`, () =>
      spec.given([]).when({ ...raise, evidence: [] }).thenRefuses(findingRules.groundsStated, /at least one event/));

    it(`refuses a finding that does not say what was wrong (${findingRules.groundsStated.id})`, () =>
      spec.given([]).when({ ...raise, detail: ' ' }).thenRefuses(findingRules.groundsStated));

    it(`refuses anything before it is raised (${findingRules.raisedFirst.id})`, () =>
      spec.given([]).when({ type: 'AcknowledgeFinding' }).thenRefuses(findingRules.raisedFirst));

    it('keys a finding by rule and the event it judged, so the same one is never raised twice', () => {
      expect(findingKey('CMP-01', 'promise-pr1', 0)).toBe('CMP-01:promise-pr1@0');
      expect(findingKey('CMP-01', 'promise-pr1', 0)).not.toBe(findingKey('CMP-03', 'promise-pr1', 0));
    });
  });

  describe('acknowledging', () => {
    it('is acknowledged, by the seller among others', () => spec.given([raised]).when({ type: 'AcknowledgeFinding' }, seller).then([acknowledged]));

    it('keeps the reason given', () =>
      spec
        .given([raised])
        .when({ type: 'AcknowledgeFinding', reason: 'I said it' }, seller)
        .then([{ type: 'FindingAcknowledged', data: { findingId: 'f1', acknowledgedBy: 'rep-1', reason: 'I said it' } }]));

    it(`refuses to acknowledge twice (${findingRules.acknowledgeOnlyRaised.id})`, () =>
      spec.given([raised, acknowledged]).when({ type: 'AcknowledgeFinding' }).thenRefuses(findingRules.acknowledgeOnlyRaised));

    it(`is acknowledged by the seller's manager or a compliance officer, not by another rep or another team's manager (${findingRules.answeredByThoseConcerned.id})`, () => {
      spec.given([raised]).when({ type: 'AcknowledgeFinding' }, sellersManager).then([{ type: 'FindingAcknowledged', data: { findingId: 'f1', acknowledgedBy: 'mgr-1' } }]);
      spec.given([raised]).when({ type: 'AcknowledgeFinding' }, officer).then([{ type: 'FindingAcknowledged', data: { findingId: 'f1', acknowledgedBy: 'co-1' } }]);
      spec.given([raised]).when({ type: 'AcknowledgeFinding' }, { actor: { id: 'rep-2', role: 'sales_rep' } }).thenRefuses(findingRules.answeredByThoseConcerned, /rep-2/);
      spec.given([raised]).when({ type: 'AcknowledgeFinding' }, otherManager).thenRefuses(findingRules.answeredByThoseConcerned);
    });
  });

  describe('remediating', () => {
    it('is remediated with evidence of what was put right', () =>
      spec.given([raised, acknowledged]).when({ type: 'RemediateFinding', evidence: remediated.data.evidence }, seller).then([remediated]));

    it(`refuses a remediation without evidence (${findingRules.remediationEvidenced.id})`, () =>
      spec.given([raised, acknowledged]).when({ type: 'RemediateFinding', evidence: '' }, seller).thenRefuses(findingRules.remediationEvidenced));

    it(`refuses a remediation by a rep who is not the seller (${findingRules.answeredByThoseConcerned.id})`, () =>
      spec
        .given([raised, acknowledged])
        .when({ type: 'RemediateFinding', evidence: 'done' }, { actor: { id: 'rep-2', role: 'sales_rep' } })
        .thenRefuses(findingRules.answeredByThoseConcerned));

    it(`refuses to remediate before acknowledging (${findingRules.settleOnlyAcknowledged.id})`, () =>
      spec.given([raised]).when({ type: 'RemediateFinding', evidence: 'done' }, seller).thenRefuses(findingRules.settleOnlyAcknowledged));

    it(`refuses to remediate a waived finding (${findingRules.settleOnlyAcknowledged.id})`, () =>
      spec.given([raised, acknowledged, waived]).when({ type: 'RemediateFinding', evidence: 'done' }, seller).thenRefuses(findingRules.settleOnlyAcknowledged));
  });

  describe('waiving', () => {
    const waive = { type: 'WaiveFinding', reason: waived.data.reason } as const;

    it('is waived by a compliance officer who is neither the seller nor their manager', () =>
      spec.given([raised, acknowledged]).when(waive, officer).then([waived]));

    it(`refuses a waiver by the seller (${findingRules.segregationOfDuties.id})`, () =>
      spec.given([raised, acknowledged]).when(waive, seller).thenRefuses(findingRules.segregationOfDuties));

    it(`refuses a waiver by the seller's manager (${findingRules.segregationOfDuties.id})`, () =>
      spec.given([raised, acknowledged]).when(waive, sellersManager).thenRefuses(findingRules.segregationOfDuties));

    it(`refuses a waiver by a role outside compliance, even one with no stake (${findingRules.segregationOfDuties.id})`, () =>
      spec.given([raised, acknowledged]).when(waive, otherManager).thenRefuses(findingRules.segregationOfDuties, /sales_manager cannot waive/));

    it(`refuses a waiver by an admin (${findingRules.segregationOfDuties.id})`, () =>
      spec.given([raised, acknowledged]).when(waive, system).thenRefuses(findingRules.segregationOfDuties, /admin cannot waive/));

    it(`refuses a waiver by a compliance officer who manages the seller (${findingRules.segregationOfDuties.id})`, () =>
      spec.given([raised, acknowledged]).when(waive, officerWhoManagesTheSeller).thenRefuses(findingRules.segregationOfDuties, /manages the seller/));

    it(`refuses a waiver by a compliance officer who is the seller (${findingRules.segregationOfDuties.id})`, () =>
      spec.given([raised, acknowledged]).when(waive, officerWhoIsTheSeller).thenRefuses(findingRules.segregationOfDuties, /is the seller/));

    it(`refuses a waiver without a reason (${findingRules.waiverExplained.id})`, () =>
      spec.given([raised, acknowledged]).when({ type: 'WaiveFinding', reason: ' ' }, officer).thenRefuses(findingRules.waiverExplained));

    it(`refuses to waive before acknowledging (${findingRules.settleOnlyAcknowledged.id})`, () =>
      spec.given([raised]).when(waive, officer).thenRefuses(findingRules.settleOnlyAcknowledged));

    it(`refuses to waive a remediated finding (${findingRules.settleOnlyAcknowledged.id})`, () =>
      spec.given([raised, acknowledged, remediated]).when(waive, officer).thenRefuses(findingRules.settleOnlyAcknowledged));
  });

  describe('closing', () => {
    it('closes a remediated finding', () => spec.given([raised, acknowledged, remediated]).when({ type: 'CloseFinding' }, officer).then([closedRemediated]));

    it('closes a waived finding, with the reason', () =>
      spec
        .given([raised, acknowledged, waived])
        .when({ type: 'CloseFinding', reason: 'reviewed' }, sellersManager)
        .then([{ type: 'FindingClosed', data: { findingId: 'f1', closedBy: 'mgr-1', outcome: 'waived', reason: 'reviewed' } }]));

    it(`refuses to close a finding neither remediated nor waived (${findingRules.closeOnlySettled.id})`, () => {
      spec.given([raised]).when({ type: 'CloseFinding' }, officer).thenRefuses(findingRules.closeOnlySettled);
      spec.given([raised, acknowledged]).when({ type: 'CloseFinding' }, officer).thenRefuses(findingRules.closeOnlySettled);
    });

    it(`refuses the seller closing a finding on their own conduct (${findingRules.notClosedBySeller.id})`, () =>
      spec.given([raised, acknowledged, remediated]).when({ type: 'CloseFinding' }, seller).thenRefuses(findingRules.notClosedBySeller));

    it(`refuses any change once closed (${findingRules.closedIsFinal.id})`, () => {
      spec.given([raised, acknowledged, remediated, closedRemediated]).when({ type: 'CloseFinding' }, officer).thenRefuses(findingRules.closedIsFinal);
      spec.given([raised, acknowledged, remediated, closedRemediated]).when({ type: 'AcknowledgeFinding' }).thenRefuses(findingRules.closedIsFinal);
    });
  });

  it('writes events their schemas accept, and the raise schema holds the evidence to a sha256', () => {
    for (const event of [raised, acknowledged, remediated, waived, closedRemediated]) {
      expect(findingEventSchemas[event.type].safeParse(event.data).success).toBe(true);
    }
    expect(findingEventSchemas.FindingRaised.safeParse({ ...raised.data, evidence: [{ streamId: 'promise-pr1', revision: 0, hash: 'abc' }] }).success).toBe(false);
  });
});
