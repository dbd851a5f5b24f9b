import { describe, expect, it } from 'vitest';
import { computeStatement, foldLedger, repsPaidIn } from '../../domain/incentive/ledger.js';
import type { ComputedStatement } from '../../domain/incentive/statementLine.js';
import { cny, IncentiveHistory, PLAN_RULES } from '../support/incentiveHistory.js';

const statementOf = (history: IncentiveHistory, period = '2026-Q4', repId = 'rep-1', statementId = `s-${period}-${repId}`) =>
  computeStatement(foldLedger(history.events, history.position), { statementId, repId, period })!;
const kinds = (statement: ComputedStatement) => statement.lines.map((line) => `${line.kind} ${line.amount.minor}`);
const sumOfLines = (statement: ComputedStatement) => statement.lines.reduce((sum, line) => sum + line.amount.minor, 0);

describe('the incentive ledger', () => {
  it('credits each payment by the marginal tiers, one line each naming its event', () => {
    const h = new IncentiveHistory().setUp().at('2026-10-15T02:00:00.000Z');
    const a = h.order('rep-1', 6);
    const paidA = h.pay(a.orderId, 600_000);
    const b = h.order('rep-1', 6);
    h.pay(b.orderId, 600_000);
    const statement = statementOf(h);
    // 600,000: 500,000 at 2% and 100,000 at 5%; then 400,000 at 5% and 200,000 at 8%.
    expect(kinds(statement)).toEqual(['credit 15000', 'credit 36000']);
    expect(statement.lines[0]!.source).toEqual({ streamId: paidA.streamId, revision: paidA.revision, hash: paidA.hash });
    expect(statement).toMatchObject({ total: cny(51_000), payable: cny(51_000), attainmentBps: 12_000, measureTotal: cny(1_200_000), cutPosition: h.position });
  });

  it('credits completed orders instead, when the plan says so, and retroactively', () => {
    const h = new IncentiveHistory().setUp({ rules: { creditOn: 'order_completed', tierMode: 'retroactive' } }).at('2026-11-02T02:00:00.000Z');
    const a = h.order('rep-1', 6);
    h.pay(a.orderId, 600_000);
    expect(statementOf(h).lines).toEqual([]);
    h.complete(a.orderId, a.total);
    // 60% of the target reached: all of it at the 50-100% tier's 5%.
    expect(kinds(statementOf(h))).toEqual(['credit 30000']);
  });

  it('pays a SPIFF per unit ordered inside its window, once per deal, and cuts the commission of a deal discounted past the threshold', () => {
    const h = new IncentiveHistory()
      .setUp({ rules: { spiffs: [{ sku: 'FW', amountPerUnit: cny(5_000), from: '2026-10-01', to: '2026-10-31' }], discountPenalty: { abovePct: 15, reducePct: 50 } } })
      .at('2026-10-31T15:59:59.000Z');
    const inWindow = h.order('rep-1', 2, 20);
    h.at('2026-10-31T16:00:00.000Z'); // 1 November in Beijing: past the SPIFF's window
    const afterWindow = h.order('rep-1', 2);
    h.pay(inWindow.orderId, 80_000);
    h.pay(inWindow.orderId, 80_000);
    h.pay(afterWindow.orderId, 200_000);
    expect(kinds(statementOf(h))).toEqual(['credit 1600', 'spiff 10000', 'discount_penalty -800', 'credit 1600', 'discount_penalty -800', 'credit 4000']);
  });

  it('caps what the deals of a period earn', () => {
    const h = new IncentiveHistory().setUp({ rules: { cap: cny(20_000) } });
    const a = h.order('rep-1', 12);
    h.pay(a.orderId, 1_200_000);
    const statement = statementOf(h);
    expect(kinds(statement)).toEqual(['credit 51000', 'cap -31000']);
    expect(statement.total).toEqual(cny(20_000));
  });

  it('holds a deal with an open critical finding, then releases it on the first statement after the finding is remediated, and deducts the finding', () => {
    const h = new IncentiveHistory().setUp({ rules: { compliance: { holdSeverities: ['critical'], deduct: { critical: { amount: cny(2_000) }, low: { pct: 10 } } } } });
    const a = h.order('rep-1', 5);
    const findingId = h.finding(a.opportunityId, 'critical');
    h.pay(a.orderId, 500_000);
    const q4 = statementOf(h);
    expect(kinds(q4)).toEqual(['credit 10000', 'hold -10000']);
    expect(q4.lines[1]!.findingIds).toEqual([findingId]);
    h.record(q4);
    h.at('2027-01-05T02:00:00.000Z');
    const remediated = h.remediate(findingId);
    const next = statementOf(h, '2027-01');
    expect(kinds(next)).toEqual([`release 10000`, 'deduction -2000']);
    expect(next.lines[0]!.source.streamId).toBe(remediated.streamId);
    expect(next.lines[0]!.releases).toEqual({ statementId: q4.statementId, lineId: q4.lines[1]!.lineId });
  });

  it('does not hold a deal for a low finding the plan does not hold for', () => {
    const h = new IncentiveHistory().setUp();
    const a = h.order('rep-1', 5);
    h.finding(a.opportunityId, 'low');
    h.pay(a.orderId, 500_000);
    expect(kinds(statementOf(h))).toEqual(['credit 10000']);
  });

  it.each([
    ['one day inside the window', '2026-12-10T02:00:00.000Z', ['clawback -10000']],
    ['one day outside it', '2026-12-11T02:00:00.000Z', []],
  ])('claws back a deal credited on 10 November and cancelled %s, in the next period', (_name, cancelledAt, lines) => {
    const h = new IncentiveHistory().setUp().at('2026-11-10T02:00:00.000Z');
    const a = h.order('rep-1', 5);
    h.pay(a.orderId, 500_000);
    const nov = statementOf(h, '2026-11');
    h.record(nov);
    h.at(cancelledAt);
    h.cancel(a.orderId, a.total);
    expect(kinds(statementOf(h, '2026-12'))).toEqual(lines);
  });

  it("claws back a refund's share of what the deal earned", () => {
    const h = new IncentiveHistory().setUp().at('2026-11-10T02:00:00.000Z');
    const a = h.order('rep-1', 5);
    h.pay(a.orderId, 500_000);
    h.record(statementOf(h, '2026-11'));
    h.at('2026-11-20T02:00:00.000Z');
    h.refund(a.orderId, 100_000);
    expect(kinds(statementOf(h, '2026-12'))).toEqual(['clawback -2000']);
  });

  it('credits a payment recorded after its period closed in the next statement, marked late', () => {
    const h = new IncentiveHistory().setUp().at('2026-11-10T02:00:00.000Z');
    const a = h.order('rep-1', 5);
    h.record(statementOf(h, '2026-11'));
    h.at('2026-12-02T02:00:00.000Z');
    h.pay(a.orderId, 500_000, '2026-11-29T02:00:00.000Z');
    const dec = statementOf(h, '2026-12');
    expect(kinds(dec)).toEqual(['credit 10000']);
    expect(dec.lines[0]).toMatchObject({ late: true, day: '2026-11-29' });
  });

  it('converts a deal in another currency at the rate valid on the day it is credited, naming the rate; and waits for one when there is none', () => {
    const h = new IncentiveHistory().setUp().at('2026-11-10T02:00:00.000Z');
    const usd = h.order('rep-1', 1, 0, 'USD');
    h.pay(usd.orderId, 100_000, undefined, 'USD');
    const waiting = statementOf(h);
    expect(kinds(waiting)).toEqual(['awaiting_rate 0']);
    const rate = h.add('fxrate-USD-CNY', 'FxRateRecorded', { from: 'USD', to: 'CNY', rate: '7.1', validOn: '2026-11-01', recordedBy: 'fin-1' });
    h.add('fxrate-USD-CNY', 'FxRateRecorded', { from: 'USD', to: 'CNY', rate: '9', validOn: '2026-11-11', recordedBy: 'fin-1' });
    const converted = statementOf(h);
    expect(converted.lines[0]).toMatchObject({ kind: 'credit', measure: cny(710_000), fx: { rate: '7.1', validOn: '2026-11-01', source: { streamId: rate.streamId, revision: 0 } } });
  });

  it('pays an upheld dispute on the next statement, and carries a negative balance forward', () => {
    const h = new IncentiveHistory().setUp().at('2026-11-10T02:00:00.000Z');
    const a = h.order('rep-1', 5);
    h.pay(a.orderId, 500_000);
    const nov = statementOf(h, '2026-11');
    h.record(nov);
    h.at('2026-12-01T02:00:00.000Z');
    h.cancel(a.orderId, a.total);
    const dec = statementOf(h, '2026-12');
    expect(dec).toMatchObject({ total: cny(-10_000), payable: cny(0) });
    h.record(dec);
    h.add('incentivedispute-d1', 'IncentiveDisputeResolved', { disputeId: 'd1', statementId: nov.statementId, repId: 'rep-1', outcome: 'upheld', amount: cny(3_000), reason: 'ok', resolvedBy: 'fin-1' });
    h.at('2027-01-02T02:00:00.000Z');
    expect(kinds(statementOf(h, '2027-01'))).toEqual(['adjustment 3000', 'carried -10000']);
  });

  it('credits the owner of the deal when it was ordered, and pays reps a plan names, by their own plan or their team\'s', () => {
    const h = new IncentiveHistory().setUp({ reps: ['rep-1', 'rep-2'], targets: { 'rep-1': 1_000_000, 'rep-2': 1_000_000 } });
    const a = h.order('rep-2', 5);
    h.add(`opportunity-${a.opportunityId}`, 'OpportunityReassigned', { opportunityId: a.opportunityId, from: 'rep-2', to: 'rep-1' });
    h.pay(a.orderId, 500_000);
    expect(statementOf(h, '2026-Q4', 'rep-1').lines).toEqual([]);
    expect(kinds(statementOf(h, '2026-Q4', 'rep-2'))).toEqual(['credit 10000']);
    expect(repsPaidIn(foldLedger(h.events, h.position), '2026-Q4')).toEqual(['rep-1', 'rep-2']);
  });

  it("pays no statement to a support agent in a team the plan pays, nor to a seller moved to the service desk", () => {
    const h = new IncentiveHistory().setUp({ reps: ['rep-1', 'rep-2'] });
    h.add('rep-agent-1', 'RepHired', { actorId: 'agent-1', name: 'Agent', team: 'east', role: 'support_agent' });
    h.add('rep-rep-2', 'RepRoleChanged', { actorId: 'rep-2', from: 'sales_rep', to: 'support_agent' });
    expect(repsPaidIn(foldLedger(h.events, h.position), '2026-Q4')).toEqual(['rep-1']);
  });

  it('rounds each of many small lines once, and the total is the sum of the rounded lines', () => {
    const h = new IncentiveHistory().setUp({ rules: { tiers: [{ fromPct: 0, ratePct: 2.5 }] } });
    const a = h.order('rep-1', 1);
    for (let i = 0; i < 50; i++) h.pay(a.orderId, 30); // 0.75 each: 1 minor unit a line
    const statement = statementOf(h);
    expect(statement.lines.every((line) => line.amount.minor === 1)).toBe(true);
    expect(statement.total.minor).toBe(sumOfLines(statement));
    expect(statement.total.minor).toBe(50);
  });

  it('leaves out every event after the cut: a statement computed later to the same position is the same', () => {
    const h = new IncentiveHistory().setUp();
    const a = h.order('rep-1', 5);
    h.pay(a.orderId, 300_000);
    const cut = h.position;
    const before = computeStatement(foldLedger(h.events, cut), { statementId: 's', repId: 'rep-1', period: '2026-Q4' });
    h.pay(a.orderId, 200_000);
    h.cancel(a.orderId, a.total);
    expect(computeStatement(foldLedger(h.events, cut), { statementId: 's', repId: 'rep-1', period: '2026-Q4' })).toEqual(before);
  });

  it('computes a what-if under another revision of the plan', () => {
    const h = new IncentiveHistory().setUp();
    const a = h.order('rep-1', 12);
    h.pay(a.orderId, 1_200_000);
    const revision2 = h.publish({ ...PLAN_RULES, effectiveFrom: '2027-01-01', tiers: [{ fromPct: 0, ratePct: 10 }] }, 2);
    if (revision2.type !== 'IncentivePlanRevisionPublished') throw new Error('published a revision');
    const ledger = foldLedger(h.events, h.position);
    const whatIf = computeStatement(ledger, { statementId: 's', repId: 'rep-1', period: '2026-Q4', revision: { rules: revision2.data, ref: { streamId: revision2.streamId, revision: revision2.revision, hash: revision2.hash } } });
    expect(whatIf).toMatchObject({ total: cny(120_000), planRevision: { revision: 2 } });
  });

  it('computes nothing for a rep no plan pays', () => expect(computeStatement(foldLedger(new IncentiveHistory().setUp().events, 99), { statementId: 's', repId: 'rep-9', period: '2026-Q4' })).toBeUndefined());
});
