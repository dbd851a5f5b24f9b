import { describe, it } from 'vitest';
import { incentiveStatementDecider, incentiveStatementRules, type IncentiveStatementEvent } from '../../domain/incentive/statement.js';
import type { ComputedStatement } from '../../domain/incentive/statementLine.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const source = { streamId: 'order-o1', revision: 5, hash: 'b'.repeat(64) };
const closer = { actor: { id: 'incentive-close', role: 'system' } };
const manager = { actor: { id: 'mgr-1', role: 'sales_manager' } };
const finance = { actor: { id: 'fin-1', role: 'finance' } };
const spec = deciderSpecification(incentiveStatementDecider, { ...defaultContext, ...manager });

const statement: ComputedStatement = {
  statementId: 's1',
  period: '2026-Q4',
  repId: 'rep-1',
  team: 'east',
  managerId: 'mgr-1',
  planId: 'plan-1',
  planRevision: { revision: 1, source: { streamId: 'incentiveplan-plan-1', revision: 1, hash: 'c'.repeat(64) } },
  currency: 'CNY',
  cutPosition: 120,
  measureTotal: cny(1_000_000),
  lines: [
    { lineId: 'credit:order-o1@5', kind: 'credit', amount: cny(20_000), day: '2026-11-10', detail: 'Bookings', source, orderId: 'o1', measure: cny(1_000_000) },
    { lineId: 'clawback:order-o2@3', kind: 'clawback', amount: cny(-5_000), day: '2026-11-20', detail: 'Cancelled', source: { ...source, streamId: 'order-o2', revision: 3 }, orderId: 'o2' },
  ],
  total: cny(15_000),
  payable: cny(15_000),
};
const calculated: IncentiveStatementEvent = { type: 'IncentiveCalculated', data: { ...statement, calculatedBy: 'incentive-close' } };
const managerApproved: IncentiveStatementEvent = { type: 'IncentiveStatementApproved', data: { statementId: 's1', step: 'manager', approvedBy: 'mgr-1', approverRole: 'sales_manager' } };
const financeApproved: IncentiveStatementEvent = { type: 'IncentiveStatementApproved', data: { statementId: 's1', step: 'finance', approvedBy: 'fin-1', approverRole: 'finance' } };
const granted = (by: string): IncentiveStatementEvent => ({ type: 'IncentiveGranted', data: { statementId: 's1', repId: 'rep-1', period: '2026-Q4', amount: cny(15_000), grantedBy: by } });
const approve = { type: 'ApproveStatement' as const };

describe('Incentive statement', () => {
  it('is calculated by the period close, each clawback line a fact of its own', () =>
    spec
      .given([])
      .when({ type: 'CalculateIncentive', statement }, closer)
      .then([calculated, { type: 'IncentiveClawedBack', data: { statementId: 's1', repId: 'rep-1', lineId: 'clawback:order-o2@3', orderId: 'o2', amount: cny(-5_000), source: statement.lines[1]!.source } }]));
  it('INC-30: is calculated once, and only by the close', () => {
    spec.given([calculated]).when({ type: 'CalculateIncentive', statement }, closer).thenRefuses(incentiveStatementRules.calculatedOnce);
    spec.given([]).when({ type: 'CalculateIncentive', statement }, finance).thenRefuses(incentiveStatementRules.calculatedOnce);
  });
  it("takes the rep's manager's approval, then finance's, which grants it", () => {
    spec.given([calculated]).when(approve).then([managerApproved]);
    spec.given([calculated, managerApproved]).when(approve, finance).then([financeApproved, granted('fin-1')]);
  });
  it("takes finance's approval first, then the manager's, which grants it", () => spec.given([calculated, financeApproved]).when(approve).then([managerApproved, granted('mgr-1')]));
  it('INC-31: refuses to approve a statement never calculated', () => spec.given([]).when(approve).thenRefuses(incentiveStatementRules.calculatedFirst));
  it('INC-32: refuses a rep approving their own statement', () => spec.given([calculated]).when(approve, { actor: { id: 'rep-1', role: 'admin' } }).thenRefuses(incentiveStatementRules.notOwnStatement));
  it("INC-33: refuses the manager's step from a manager who does not manage the rep", () =>
    spec.given([calculated]).when(approve, { actor: { id: 'mgr-2', role: 'sales_manager' } }).thenRefuses(incentiveStatementRules.managerStep));
  it("INC-34: refuses finance's step from the rep's own manager, even as an admin", () =>
    spec.given([calculated, managerApproved]).when({ ...approve, step: 'finance' }, { actor: { id: 'mgr-1', role: 'admin' } }).thenRefuses(incentiveStatementRules.financeStep));
  it('INC-35: refuses a step given twice, and one person giving both', () => {
    spec.given([calculated, managerApproved]).when(approve).thenRefuses(incentiveStatementRules.twoPeople);
    spec.given([calculated, { ...financeApproved, data: { ...financeApproved.data, approvedBy: 'admin-1', approverRole: 'admin' } }]).when(approve, { actor: { id: 'admin-1', role: 'admin' } }).thenRefuses(incentiveStatementRules.twoPeople);
  });
  it('INC-36: refuses an approval of a granted statement', () => spec.given([calculated, managerApproved, financeApproved, granted('fin-1')]).when(approve, finance).thenRefuses(incentiveStatementRules.grantedIsFinal));
});
