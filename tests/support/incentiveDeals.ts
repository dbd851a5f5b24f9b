import { expect } from 'vitest';
import { certifySeller } from './roster.js';
import type { TestApp } from './testApp.js';

export const cny = (minor: number) => ({ minor, currency: 'CNY' });

/** The first revision most incentive tests publish: credit on payment, bookings, marginal 2% / 5% / 8%, a 30-day clawback. */
export const REVISION_1 = {
  effectiveFrom: '2026-10-01',
  creditOn: 'payment_received',
  measure: 'bookings',
  tierMode: 'marginal',
  tiers: [
    { fromPct: 0, toPct: 50, ratePct: 2 },
    { fromPct: 50, toPct: 100, ratePct: 5 },
    { fromPct: 100, ratePct: 8 },
  ],
  compliance: { holdSeverities: ['critical'], deduct: {} },
  clawbackDays: 30,
};

/**
 * Through the API, as the development keys would: FW-100 in the catalog, the rep certified on it,
 * a plan for team east from 2026-10-01 with REVISION_1, and the rep's 2026-Q4 bookings target.
 */
export const incentiveSetUp = async (t: TestApp) => {
  const product = {
    sku: 'FW-100',
    name: 'Firewall',
    capabilities: ['threat inspection'],
    maxSla: { availabilityPct: 99.9, responseHours: 4 },
    leadTimeDays: 0,
    listPrice: cny(100_000),
    floorPrice: cny(50_000),
    unitCost: cny(40_000),
  };
  expect((await t.post('/products', product, { role: 'sales_manager' })).statusCode).toBe(201);
  await certifySeller(t, ['FW-100']);
  const plan = await t.post('/incentive-plans', { name: 'East', currency: 'CNY', appliesTo: { teams: ['east'] }, from: '2026-10-01' }, { role: 'finance' });
  expect(plan.statusCode, plan.body).toBe(201);
  const planId = plan.json().id as string;
  const revision = await t.post(`/incentive-plans/${planId}/revisions`, REVISION_1, { role: 'finance' });
  expect(revision.statusCode, revision.body).toBe(201);
  const target = await t.post('/targets', { subject: { kind: 'rep', id: 'dev-sales-rep' }, period: '2026-Q4', metric: 'bookings', amount: cny(1_000_000) }, { role: 'sales_manager' });
  expect(target.statusCode, target.body).toBe(201);
  const customerId = (await t.post('/customers', { name: 'Acme Bank', industry: 'finance', region: 'east' })).json().id as string;
  expect((await t.post(`/customers/${customerId}/credit-limit`, { limit: cny(100_000_000) }, { role: 'finance' })).statusCode).toBe(200);
  return { planId, customerId };
};

/** An order of the rep's for `qty` firewalls at list, confirmed; answers its id and total. */
export const orderOf = async (t: TestApp, customerId: string, qty: number) => {
  const opportunityId = (await t.post('/opportunities', { customerId, title: 'Firewalls', ownerId: 'dev-sales-rep', amount: cny(qty * 100_000) })).json().id;
  const quote = await t.post('/quotes', { opportunityId, lines: [{ sku: 'FW-100', qty, unitPrice: cny(100_000), discountPct: 0 }], validUntil: '2027-06-30T00:00:00Z' });
  expect(quote.statusCode, quote.body).toBe(201);
  const quoteId = quote.json().id as string;
  for (const action of ['submit', 'send', 'accept']) expect((await t.post(`/quotes/${quoteId}/${action}`, {})).statusCode).toBe(200);
  const order = await t.post('/orders', { quoteId, promisedDeliveryDate: '2027-06-30' });
  expect(order.statusCode, order.body).toBe(201);
  return { orderId: order.json().id as string, total: qty * 100_000, opportunityId: opportunityId as string };
};

export const pay = async (t: TestApp, orderId: string, minor: number, reference: string) => {
  const paid = await t.post(`/orders/${orderId}/payments`, { amount: cny(minor), receivedAt: t.system.clock.now(), reference }, { role: 'finance' });
  expect(paid.statusCode, paid.body).toBe(201);
  return paid.json() as { position: number };
};
