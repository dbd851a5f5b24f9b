import { beforeEach, describe, expect, it } from 'vitest';
import { computeStatement, foldLedger } from '../../domain/incentive/ledger.js';
import { HOLD_DOCS, incentivesProjection, PLAN_DOCS, STATEMENT_DOCS } from '../../projections/incentives/incentivesProjection.js';
import { cny, IncentiveHistory } from '../support/incentiveHistory.js';
import { projectionSpecification } from '../support/projectionSpecification.js';

let spec: ReturnType<typeof projectionSpecification<(typeof incentivesProjection.handles)[number]>>;
let h: IncentiveHistory;
const replay = () => spec.given(...h.events.map(({ streamId, type, data, occurredAt }) => ({ streamId, type, data, metadata: { occurredAt } })));
const close = (period: string) => {
  const statement = computeStatement(foldLedger(h.events, h.position), { statementId: `s-${period}`, repId: 'rep-1', period })!;
  h.record(statement);
  return statement;
};

beforeEach(() => {
  spec = projectionSpecification(incentivesProjection);
  h = new IncentiveHistory().setUp().at('2026-11-10T02:00:00.000Z');
});

describe('incentives projection', () => {
  it('keeps each plan with its revisions', () => {
    replay();
    expect(spec.document(PLAN_DOCS, 'plan-1')).toMatchObject({ name: 'East', currency: 'CNY', appliesTo: { teams: ['east'], reps: [] }, publicResults: false, revisions: [{ revision: 1, tierMode: 'marginal' }] });
  });

  it('keeps each statement with its lines, approvals, grant and disputes', () => {
    const order = h.order('rep-1', 5);
    h.pay(order.orderId, 500_000);
    const statement = close('2026-11');
    h.add(`incentivestatement-${statement.statementId}`, 'IncentiveStatementApproved', { statementId: statement.statementId, step: 'manager', approvedBy: 'mgr-1', approverRole: 'sales_manager' });
    h.add(`incentivestatement-${statement.statementId}`, 'IncentiveGranted', { statementId: statement.statementId, repId: 'rep-1', period: '2026-11', amount: cny(10_000), grantedBy: 'fin-1' });
    const lineId = statement.lines[0]!.lineId;
    h.add('incentivedispute-d1', 'IncentiveLineDisputed', { disputeId: 'd1', statementId: statement.statementId, repId: 'rep-1', period: '2026-11', lineId, currency: 'CNY', reason: 'short', disputedBy: 'rep-1' });
    h.add('incentivedispute-d1', 'IncentiveDisputeResolved', { disputeId: 'd1', statementId: statement.statementId, repId: 'rep-1', outcome: 'upheld', amount: cny(500), reason: 'right', resolvedBy: 'fin-1' });
    replay();
    expect(spec.document(STATEMENT_DOCS, statement.statementId)).toMatchObject({
      repId: 'rep-1',
      period: '2026-11',
      managerId: 'mgr-1',
      planRevision: 1,
      payable: cny(10_000),
      payableMinor: 10_000,
      status: 'granted',
      granted: cny(10_000),
      approvals: [{ step: 'manager', by: 'mgr-1' }],
      disputes: [{ id: 'd1', lineId, status: 'upheld', amount: cny(500), resolution: 'right' }],
      lines: statement.lines,
    });
  });

  it('lists a hold until a later statement releases it', () => {
    const order = h.order('rep-1', 5);
    const findingId = h.finding(order.opportunityId, 'critical');
    h.pay(order.orderId, 500_000);
    const held = close('2026-11');
    replay();
    const holdId = `${held.statementId}/hold:${order.orderId}`;
    expect(spec.document(HOLD_DOCS, holdId)).toMatchObject({ repId: 'rep-1', orderId: order.orderId, amount: cny(10_000), findingIds: [findingId], released: false, releasedBy: null });
    spec = projectionSpecification(incentivesProjection);
    h.at('2026-12-03T02:00:00.000Z');
    h.remediate(findingId);
    const released = close('2026-12');
    replay();
    expect(spec.document(HOLD_DOCS, holdId)).toMatchObject({ released: true, releasedBy: released.statementId });
  });
});
