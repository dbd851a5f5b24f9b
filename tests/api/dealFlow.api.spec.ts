import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certifySeller } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  const product = await t.post(
    '/products',
    {
      sku: 'FW-100',
      name: 'Firewall 100',
      capabilities: ['threat inspection'],
      maxSla: { availabilityPct: 99.9, responseHours: 4 },
      leadTimeDays: 14,
      listPrice: cny(100_000),
      floorPrice: cny(70_000),
      unitCost: cny(40_000),
    },
    { role: 'sales_manager' },
  );
  expect(product.statusCode).toBe(201);
  await certifySeller(t, ['FW-100']);
});
afterAll(() => t.close());

type Answer = { id: string; streamId: string; position: number; events: string[] };

/** Posts and insists on the status, so a failing step names itself. */
const ok = async <T = Answer>(url: string, body: unknown, role = 'sales_rep', status = 200) => {
  const response = await t.post(url, body, { role });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response.json() as T;
};
const view = async (url: string, after: number) => (await t.get(`${url}${url.includes('?') ? '&' : '?'}after=${after}`, { role: 'sales_manager' })).json();

describe('a deal from first contact to the last delivery', () => {
  it('runs lead -> customer -> opportunity -> quote needing approval -> approval -> acceptance -> order -> partial and full delivery', async () => {
    const lead = await ok(
      '/leads',
      { source: 'inbound', company: '华东银行', contact: { name: '王经理', email: 'wang@example.cn' }, interest: 'firewalls for 10 branches' },
      'sales_rep',
      201,
    );
    await ok(`/leads/${lead.id}/qualify`, { note: 'budget approved for Q2' });
    const converted = await ok<Answer & { customerId: string; opportunityId: string }>(`/leads/${lead.id}/convert`, {
      customer: { industry: 'finance', region: 'east' },
      opportunity: { title: 'Branch firewalls', ownerId: 'dev-sales-rep', amount: cny(800_000) },
    });
    const customer = { id: converted.customerId };
    const opportunity = { id: converted.opportunityId };
    const pipeline = await view(`/views/pipeline?customerId=${customer.id}`, converted.position);
    expect(pipeline.items).toMatchObject([{ id: opportunity.id, stage: 'qualification', status: 'open' }]);
    await ok(`/customers/${customer.id}/credit-limit`, { limit: cny(2_000_000) }, 'finance');

    // 10 firewalls at 20% off: above the rep's 10%, within the manager's 25%.
    const quote = await ok(
      '/quotes',
      { opportunityId: opportunity.id, lines: [{ sku: 'FW-100', qty: 10, unitPrice: cny(100_000), discountPct: 20 }], validUntil: '2026-03-31T00:00:00Z' },
      'sales_rep',
      201,
    );
    const quotes = `/views/quotes?customerId=${customer.id}`;
    expect((await view(quotes, quote.position)).items).toMatchObject([
      { id: quote.id, status: 'draft', subtotal: cny(1_000_000), discountTotal: cny(200_000), total: cny(800_000), ownerId: 'dev-sales-rep' },
    ]);

    const submitted = await ok(`/quotes/${quote.id}/submit`, {});
    expect((await view(quotes, submitted.position)).items).toMatchObject([{ status: 'pending_approval', approvalRequired: true }]);

    const selfApproval = await t.post(`/quotes/${quote.id}/approve`, {});
    expect(selfApproval.statusCode).toBe(422);
    expect(selfApproval.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'QUO-14' } });
    expect((await view(`${quotes}&status=pending_approval`, submitted.position)).items).toHaveLength(1);

    const approved = await ok(`/quotes/${quote.id}/approve`, { reason: 'multi-branch rollout' }, 'sales_manager');
    expect((await view(quotes, approved.position)).items).toMatchObject([{ status: 'approved', decidedBy: 'dev-sales-manager' }]);
    const sent = await ok(`/quotes/${quote.id}/send`, {});
    expect((await view(quotes, sent.position)).items).toMatchObject([{ status: 'sent' }]);
    const accepted = await ok(`/quotes/${quote.id}/accept`, {});
    expect((await view(`${quotes}&status=accepted`, accepted.position)).items).toMatchObject([{ id: quote.id }]);

    const order = await ok('/orders', { quoteId: quote.id, promisedDeliveryDate: '2026-03-20' }, 'sales_rep', 201);
    const orders = `/views/orders?customerId=${customer.id}`;
    expect((await view(orders, order.position)).items).toMatchObject([
      { id: order.id, quoteId: quote.id, status: 'placed', open: true, total: cny(800_000), items: [{ sku: 'FW-100', ordered: 10, delivered: 0 }] },
    ]);

    const confirmed = await ok(`/orders/${order.id}/confirm`, {});
    expect((await view(orders, confirmed.position)).items).toMatchObject([{ status: 'confirmed' }]);

    const partial = await ok(`/orders/${order.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 4 }] });
    expect(partial.events).toEqual(['OrderDelivered']);
    expect((await view(orders, partial.position)).items).toMatchObject([
      { status: 'confirmed', deliveries: 1, fullyDelivered: false, late: false, items: [{ sku: 'FW-100', ordered: 10, delivered: 4 }] },
    ]);

    const full = await ok(`/orders/${order.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 6 }] });
    expect(full.events).toEqual(['OrderDelivered', 'OrderFullyDelivered']);
    expect((await view(orders, full.position)).items).toMatchObject([
      { deliveries: 2, fullyDelivered: true, late: false, items: [{ sku: 'FW-100', ordered: 10, delivered: 10 }] },
    ]);

    const completed = await ok(`/orders/${order.id}/complete`, {});
    expect((await view(`${orders}&status=completed`, completed.position)).items).toMatchObject([{ id: order.id, open: false }]);

    // Every event of the deal names the customer, so the audit finds them all.
    for (const streamId of [quote.streamId, order.streamId]) {
      const events = await t.system.eventStore.readStream(streamId);
      expect(events.every((e) => e.metadata.customerId === customer.id)).toBe(true);
    }
  });
});
