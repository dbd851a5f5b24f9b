import { describe, it } from 'vitest';
import { incentivePeriodDecider, incentivePeriodRules, type CloseIncentivePeriod, type IncentivePeriodEvent } from '../../domain/incentive/incentivePeriod.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const finance = { actor: { id: 'fin-1', role: 'finance' } };
const january2 = { now: '2027-01-02T01:00:00.000Z' };
const spec = deciderSpecification(incentivePeriodDecider, { ...defaultContext, ...finance, ...january2 });
const statements = [{ statementId: 's1', repId: 'rep-1' }];
const close: CloseIncentivePeriod = { type: 'CloseIncentivePeriod', period: '2026-Q4', cutPosition: 120, statements };
const closedQ4: IncentivePeriodEvent = { type: 'IncentivePeriodClosed', data: { period: '2026-Q4', cutPosition: 120, statements, closedBy: 'fin-1' } };
const closedOf = (period: string): IncentivePeriodEvent => ({ type: 'IncentivePeriodClosed', data: { ...closedQ4.data, period } });

describe('Incentive periods', () => {
  it('closes a quarter once it has ended, recording the log position its statements read', () => spec.given([]).when(close).then([closedQ4]));
  it('closes the next period after it', () => spec.given([closedQ4]).when({ ...close, period: '2027-01' }, { now: '2027-02-01T00:00:00.000Z' }).then([closedOf('2027-01')]));
  it('INC-20: refuses to close a period twice', () => spec.given([closedQ4]).when(close).thenRefuses(incentivePeriodRules.closedOnce));
  it('INC-21: refuses to close a quarter before its last day has ended in Beijing', () =>
    spec.given([]).when(close, { now: '2026-12-31T15:59:59.000Z' }).thenRefuses(incentivePeriodRules.closedAfterItEnds));
  it('INC-21: closes it from midnight in Beijing', () => spec.given([]).when(close, { now: '2026-12-31T16:00:00.000Z' }).then([closedQ4]));
  it('INC-22: refuses a month of a closed quarter, and an earlier period after a later one', () => {
    spec.given([closedQ4]).when({ ...close, period: '2026-12' }).thenRefuses(incentivePeriodRules.closedInOrder, /2026-Q4/);
    spec.given([closedQ4]).when({ ...close, period: '2026-Q3' }).thenRefuses(incentivePeriodRules.closedInOrder);
  });
  it('INC-23: refuses a close by a sales manager', () => spec.given([]).when(close, { actor: { id: 'mgr-1', role: 'sales_manager' } }).thenRefuses(incentivePeriodRules.closedByFinance));
});
