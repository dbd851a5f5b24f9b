import { describe, it } from 'vitest';
import { incentiveDisputeDecider, incentiveDisputeRules, type DisputeLine, type IncentiveDisputeEvent } from '../../domain/incentive/dispute.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const statement = { statementId: 's1', repId: 'rep-1', period: '2026-Q4', currency: 'CNY', lineIds: ['credit:order-o1@5', 'discount_penalty:order-o1@5'] };
const spec = deciderSpecification(incentiveDisputeDecider, { ...defaultContext, statement }); // the rep, rep-1
const finance = { actor: { id: 'fin-1', role: 'finance' } };
const dispute: DisputeLine = { type: 'DisputeLine', disputeId: 'd1', lineId: 'discount_penalty:order-o1@5', reason: 'The discount was approved by my manager' };
const disputed: IncentiveDisputeEvent = {
  type: 'IncentiveLineDisputed',
  data: { disputeId: 'd1', statementId: 's1', repId: 'rep-1', period: '2026-Q4', lineId: 'discount_penalty:order-o1@5', currency: 'CNY', reason: dispute.reason, disputedBy: 'rep-1' },
};
const uphold = { type: 'ResolveDispute' as const, outcome: 'upheld' as const, amount: cny(20_750), reason: 'Approval on record' };

describe('Incentive dispute', () => {
  it('takes a dispute of a line, from the rep the statement pays', () => spec.given([]).when(dispute).then([disputed]));
  it('is upheld by finance with the amount owed', () =>
    spec.given([disputed]).when(uphold, finance).then([{ type: 'IncentiveDisputeResolved', data: { disputeId: 'd1', statementId: 's1', repId: 'rep-1', outcome: 'upheld', amount: cny(20_750), reason: 'Approval on record', resolvedBy: 'fin-1' } }]));
  it('is rejected by finance, owing nothing', () =>
    spec.given([disputed]).when({ type: 'ResolveDispute', outcome: 'rejected', reason: 'Above the threshold' }, finance).then([
      { type: 'IncentiveDisputeResolved', data: { disputeId: 'd1', statementId: 's1', repId: 'rep-1', outcome: 'rejected', reason: 'Above the threshold', resolvedBy: 'fin-1' } },
    ]));
  it('INC-40: refuses a dispute from anyone but the rep', () => spec.given([]).when(dispute, { actor: { id: 'rep-2', role: 'sales_rep' } }).thenRefuses(incentiveDisputeRules.byTheRep));
  it('INC-41: refuses a line the statement does not have, or no reason', () => {
    spec.given([]).when({ ...dispute, lineId: 'credit:order-o9@1' }).thenRefuses(incentiveDisputeRules.namesALine);
    spec.given([]).when({ ...dispute, reason: ' ' }).thenRefuses(incentiveDisputeRules.namesALine);
  });
  it('INC-42: refuses a second dispute of the line', () => spec.given([disputed]).when(dispute).thenRefuses(incentiveDisputeRules.disputedOnce));
  it('INC-43: refuses a resolution by the rep, by a manager, or a second one', () => {
    spec.given([disputed]).when(uphold, { actor: { id: 'rep-1', role: 'admin' } }).thenRefuses(incentiveDisputeRules.resolvedByFinance);
    spec.given([disputed]).when(uphold, { actor: { id: 'mgr-1', role: 'sales_manager' } }).thenRefuses(incentiveDisputeRules.resolvedByFinance);
    const resolved: IncentiveDisputeEvent = { type: 'IncentiveDisputeResolved', data: { disputeId: 'd1', statementId: 's1', repId: 'rep-1', outcome: 'rejected', reason: 'no', resolvedBy: 'fin-1' } };
    spec.given([disputed, resolved]).when(uphold, finance).thenRefuses(incentiveDisputeRules.resolvedByFinance);
  });
  it('INC-44: refuses an upheld dispute without an amount or in another currency, and a rejected one with an amount', () => {
    spec.given([disputed]).when({ type: 'ResolveDispute', outcome: 'upheld', reason: 'Approval on record' }, finance).thenRefuses(incentiveDisputeRules.resolutionStated);
    spec.given([disputed]).when({ ...uphold, amount: { minor: 100, currency: 'USD' } }, finance).thenRefuses(incentiveDisputeRules.resolutionStated);
    spec.given([disputed]).when({ ...uphold, outcome: 'rejected' }, finance).thenRefuses(incentiveDisputeRules.resolutionStated);
  });
});
