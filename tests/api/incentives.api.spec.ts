import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cny, incentiveSetUp, orderOf, pay, REVISION_1 } from '../support/incentiveDeals.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-10-01T02:00:00.000Z', now() { return this.at; } };
let t: TestApp;
let planId: string;
let customerId: string;
let orderId: string;
let statementId: string;

/** Runs a request that must be refused, and checks the log did not move. */
const refusedWithoutAppending = async (request: () => ReturnType<TestApp['post']>, status: number, ruleId?: string) => {
  const before = await t.system.eventStore.headPosition();
  const response = await request();
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  if (ruleId) expect(response.json().rule.id).toBe(ruleId);
  expect(await t.system.eventStore.headPosition()).toBe(before);
  return response.json();
};

beforeAll(async () => {
  t = await startTestApp({ clock });
  ({ planId, customerId } = await incentiveSetUp(t));
  ({ orderId } = await orderOf(t, customerId, 6));
  await pay(t, orderId, 400_000, 'BOC-1');
});
afterAll(() => t.close());

describe('targets', () => {
  it('answers 409 for a second target for the same rep, period and measure', () =>
    refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'rep', id: 'dev-sales-rep' }, period: '2026-Q4', metric: 'bookings', amount: cny(5) }, { role: 'sales_manager' }), 409));

  it('refuses a target for an unknown rep (TGT-02) or team, and a count for a money measure (TGT-03)', async () => {
    await refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'rep', id: 'ghost' }, period: '2026-Q4', metric: 'bookings', amount: cny(5) }, { role: 'sales_manager' }), 422, 'TGT-02');
    await refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'team', id: 'north' }, period: '2026-Q4', metric: 'bookings', amount: cny(5) }, { role: 'admin' }), 422, 'TGT-02');
    await refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'team', id: 'east' }, period: '2026-Q4', metric: 'bookings', count: 5 }, { role: 'sales_manager' }), 422, 'TGT-03');
  });

  it("refuses a target for the service desk's agent, or for a team only agents are in (TGT-02)", async () => {
    const hired = await t.post('/reps', { actorId: 'dev-support-agent', name: '客服 (support)', team: 'desk', role: 'support_agent' }, { role: 'admin' });
    expect(hired.statusCode, hired.body).toBe(201);
    await refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'rep', id: 'dev-support-agent' }, period: '2026-Q4', metric: 'bookings', amount: cny(5) }, { role: 'admin' }), 422, 'TGT-02');
    await refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'team', id: 'desk' }, period: '2026-Q4', metric: 'bookings', amount: cny(5) }, { role: 'admin' }), 422, 'TGT-02');
  });

  it('answers 400 field by field for a period that is no period, and 403 to a rep', async () => {
    const bad = await refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'rep', id: 'dev-sales-rep' }, period: '2026-Q5', metric: 'revenue', amount: cny(5) }, { role: 'sales_manager' }), 400);
    expect(bad.errors.map((e: { field: string }) => e.field).sort()).toEqual(['metric', 'period']);
    await refusedWithoutAppending(() => t.post('/targets', { subject: { kind: 'rep', id: 'dev-sales-rep' }, period: '2026-Q1', metric: 'bookings', amount: cny(5) }), 403);
  });

  it('revises a target with a reason', async () => {
    const set = await t.post('/targets', { subject: { kind: 'team', id: 'east' }, period: '2026-Q4', metric: 'bookings', amount: cny(3_000_000) }, { role: 'sales_manager' });
    expect(set.statusCode).toBe(201);
    const revised = await t.post(`/targets/${set.json().id}/revise`, { amount: cny(3_500_000), reason: 'new accounts' }, { role: 'sales_manager' });
    expect(revised.json()).toMatchObject({ events: ['TargetRevised'] });
  });
});

describe('payments and refunds', () => {
  it("refuses paying more than the order's total (PAY-03) and refunding more than was paid (PAY-04)", async () => {
    await refusedWithoutAppending(() => t.post(`/orders/${orderId}/payments`, { amount: cny(200_001), receivedAt: clock.at, reference: 'BOC-2' }, { role: 'finance' }), 422, 'PAY-03');
    await refusedWithoutAppending(() => t.post(`/orders/${orderId}/refunds`, { amount: cny(400_001), reason: 'returned', refundedAt: clock.at }, { role: 'finance' }), 422, 'PAY-04');
  });

  it('answers 404 for an unknown order, and 403 to a rep', async () => {
    await refusedWithoutAppending(() => t.post('/orders/00000000-0000-4000-8000-000000000000/payments', { amount: cny(1), receivedAt: clock.at, reference: 'x' }, { role: 'finance' }), 404);
    await refusedWithoutAppending(() => t.post(`/orders/${orderId}/payments`, { amount: cny(1), receivedAt: clock.at, reference: 'x' }), 403);
  });

  it('records a rate, refusing a second for the same day (FX-03) and a float (400)', async () => {
    expect((await t.post('/fx-rates', { from: 'USD', to: 'CNY', rate: '7.12', validOn: '2026-10-01' }, { role: 'finance' })).json()).toMatchObject({ id: 'USD-CNY', events: ['FxRateRecorded'] });
    await refusedWithoutAppending(() => t.post('/fx-rates', { from: 'USD', to: 'CNY', rate: '7.13', validOn: '2026-10-01' }, { role: 'finance' }), 422, 'FX-03');
    await refusedWithoutAppending(() => t.post('/fx-rates', { from: 'USD', to: 'CNY', rate: 7.13, validOn: '2026-10-09' }, { role: 'finance' }), 400);
  });
});

describe('plans', () => {
  it('refuses an overlapping plan window (INC-03), a tier table with a gap (INC-06) and a rate above 100% (INC-07)', async () => {
    await refusedWithoutAppending(() => t.post('/incentive-plans', { name: 'Again', currency: 'CNY', appliesTo: { teams: ['east'] }, from: '2026-12-01' }, { role: 'finance' }), 422, 'INC-03');
    await refusedWithoutAppending(() => t.post(`/incentive-plans/${planId}/revisions`, { ...REVISION_1, effectiveFrom: '2027-01-01', tiers: [{ fromPct: 0, toPct: 50, ratePct: 2 }, { fromPct: 55, ratePct: 5 }] }, { role: 'finance' }), 422, 'INC-06');
    await refusedWithoutAppending(() => t.post(`/incentive-plans/${planId}/revisions`, { ...REVISION_1, effectiveFrom: '2027-01-01', tiers: [{ fromPct: 0, ratePct: 101 }] }, { role: 'finance' }), 422, 'INC-07');
  });

  it('lists the revisions and answers one by number, 404 for one it lacks', async () => {
    const list = await t.get(`/incentive-plans/${planId}/revisions`);
    expect(list.json().items).toMatchObject([{ revision: 1, tierMode: 'marginal', inForce: true }]);
    expect((await t.get(`/incentive-plans/${planId}/revisions/1`)).json()).toMatchObject({ revision: 1 });
    expect((await t.get(`/incentive-plans/${planId}/revisions/7`)).statusCode).toBe(404);
  });
});

describe('closing a period, approving, disputing, recomputing', () => {
  it('refuses to close a period before it has ended (INC-21)', () => refusedWithoutAppending(() => t.post('/incentives/periods/2026-Q4/close', {}, { role: 'finance' }), 422, 'INC-21'));

  it('closes it once ended, a statement per paid rep, and refuses a second close (INC-20)', async () => {
    clock.at = '2027-01-02T02:00:00.000Z';
    const closed = await t.post('/incentives/periods/2026-Q4/close', {}, { role: 'finance' });
    expect(closed.statusCode, closed.body).toBe(200);
    const rep = closed.json().statements.find((s: { repId: string }) => s.repId === 'dev-sales-rep');
    statementId = rep.statementId;
    await refusedWithoutAppending(() => t.post('/incentives/periods/2026-Q4/close', {}, { role: 'finance' }), 422, 'INC-20');
    const statement = await t.get(`/incentives/statements/${statementId}?after=${closed.json().position}`, { role: 'finance' });
    // 400,000 of a 1,000,000 target, all in the 0-50% tier at 2%.
    expect(statement.json()).toMatchObject({ repId: 'dev-sales-rep', period: '2026-Q4', total: cny(8_000), payable: cny(8_000), attainmentBps: 4_000, status: 'calculated' });
  });

  it("shows a rep their own statements only, and analysts none", async () => {
    expect((await t.get('/incentives/statements?period=2026-Q4')).json().items.map((s: { repId: string }) => s.repId)).toEqual(['dev-sales-rep']);
    expect((await t.get('/incentives/statements?repId=dev-sales-manager')).statusCode).toBe(403);
    expect((await t.get('/incentives/statements', { role: 'analyst' })).statusCode).toBe(403);
  });

  it('refuses an approval of one\'s own statement (INC-32) and a finance step from a sales manager (INC-34)', async () => {
    const managers = (await t.get('/incentives/statements?repId=dev-sales-manager', { role: 'finance' })).json().items;
    await refusedWithoutAppending(() => t.post(`/incentives/statements/${managers[0].id}/approve`, {}, { role: 'sales_manager' }), 422, 'INC-32');
    await refusedWithoutAppending(() => t.post(`/incentives/statements/${statementId}/approve`, { step: 'finance' }, { role: 'sales_manager' }), 422, 'INC-34');
  });

  it('grants on the second approval', async () => {
    expect((await t.post(`/incentives/statements/${statementId}/approve`, {}, { role: 'sales_manager' })).json().events).toEqual(['IncentiveStatementApproved']);
    expect((await t.post(`/incentives/statements/${statementId}/approve`, {}, { role: 'finance' })).json().events).toEqual(['IncentiveStatementApproved', 'IncentiveGranted']);
  });

  it('takes a dispute of a line from the rep, resolved by finance; 404 for a statement never closed', async () => {
    const statement = (await t.get(`/incentives/statements/${statementId}`)).json();
    const dispute = await t.post(`/incentives/statements/${statementId}/dispute`, { lineId: statement.lines[0].lineId, reason: 'short' });
    expect(dispute.statusCode, dispute.body).toBe(201);
    await refusedWithoutAppending(() => t.post(`/incentives/statements/${statementId}/dispute`, { lineId: 'credit:nothing', reason: 'x' }), 422, 'INC-41');
    await refusedWithoutAppending(() => t.post('/incentives/statements/00000000-0000-4000-8000-000000000000/dispute', { lineId: 'x', reason: 'x' }), 404);
    await refusedWithoutAppending(() => t.post(`/incentives/disputes/${dispute.json().id}/resolve`, { outcome: 'upheld', reason: 'no amount' }, { role: 'finance' }), 422, 'INC-44');
    expect((await t.post(`/incentives/disputes/${dispute.json().id}/resolve`, { outcome: 'upheld', amount: cny(100), reason: 'right' }, { role: 'finance' })).statusCode).toBe(200);
  });

  it('recomputes the statement from the log with no difference, appending nothing; a rep may not run a what-if', async () => {
    const before = await t.system.eventStore.headPosition();
    const recomputed = await t.post('/incentives/recompute', { repId: 'dev-sales-rep', period: '2026-Q4' }, { role: 'auditor' });
    expect(recomputed.statusCode, recomputed.body).toBe(200);
    expect(recomputed.json().diff).toMatchObject({ identical: true, added: [], removed: [], changed: [] });
    expect(await t.system.eventStore.headPosition()).toBe(before);
    expect((await t.post('/incentives/recompute', { repId: 'dev-sales-rep', period: '2026-Q4' })).json().diff.identical).toBe(true);
    await refusedWithoutAppending(() => t.post('/incentives/recompute', { repId: 'dev-sales-rep', period: '2026-Q4', planRevision: 1 }), 403);
    await refusedWithoutAppending(() => t.post('/incentives/recompute', { repId: 'dev-sales-rep', period: '2026-Q4', planRevision: 9 }, { role: 'auditor' }), 404);
  });

  it('serves the payout ledger, per rep to finance and as totals to analysts', async () => {
    const finance = (await t.get('/views/incentives/payouts?period=2026-Q4', { role: 'finance' })).json();
    expect(finance.totals).toEqual([{ currency: 'CNY', payable: 8_000, granted: 8_000, statements: 2 }]);
    expect(finance.items).toHaveLength(2);
    expect((await t.get('/views/incentives/payouts?period=2026-Q4', { role: 'analyst' })).json()).toMatchObject({ items: null, totals: finance.totals });
  });

  it('serves attainment: a rep their own row, analysts without the amounts', async () => {
    const own = (await t.get('/views/attainment?period=2026-Q4')).json();
    expect(own.items).toMatchObject([{ subjectId: 'dev-sales-rep', rank: 1, booked: cny(600_000), collected: cny(400_000), attainmentBps: 6_000, withheld: false }]);
    expect((await t.get('/views/attainment?period=2026-Q4&groupBy=team')).statusCode).toBe(403);
    const analyst = (await t.get('/views/attainment?period=2026-Q4', { role: 'analyst' })).json();
    expect(analyst.items.find((row: { subjectId: string }) => row.subjectId === 'dev-sales-rep')).toMatchObject({ booked: null, target: null, attainmentBps: 6_000, withheld: true });
  });
});
