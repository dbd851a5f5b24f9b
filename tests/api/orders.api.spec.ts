import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certifySeller } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });

let t: TestApp;

const publish = async (sku: string, list: number) => {
  const body = {
    sku,
    name: sku,
    capabilities: [],
    maxSla: { availabilityPct: 99.9, responseHours: 4 },
    leadTimeDays: 14,
    listPrice: cny(list),
    floorPrice: cny(list / 2),
    unitCost: cny(list / 4),
  };
  expect((await t.post('/products', body, { role: 'sales_manager' })).statusCode).toBe(201);
};

const customer = async (creditLimit?: number) => {
  const id = (await t.post('/customers', { name: 'Acme Bank', industry: 'finance', region: 'east' })).json().id as string;
  if (creditLimit !== undefined) expect((await t.post(`/customers/${id}/credit-limit`, { limit: cny(creditLimit) }, { role: 'finance' })).statusCode).toBe(200);
  return id;
};

type Line = { sku: string; qty: number; unitPrice: { minor: number; currency: string }; discountPct: number };
const fw = (qty: number): Line => ({ sku: 'FW-100', qty, unitPrice: cny(100_000), discountPct: 0 });
const edr = (qty: number): Line => ({ sku: 'EDR-1', qty, unitPrice: cny(50_000), discountPct: 0 });

/** A quote the customer accepted, within the rep's authority so no approval is needed. */
const acceptedQuote = async (customerId: string, lines: Line[]) => {
  const opportunityId = (await t.post('/opportunities', { customerId, title: 'Refresh', ownerId: 'dev-sales-rep', amount: cny(1) })).json().id;
  const quote = await t.post('/quotes', { opportunityId, lines, validUntil: '2026-03-31T00:00:00Z' });
  expect(quote.statusCode).toBe(201);
  const id = quote.json().id as string;
  for (const action of ['submit', 'send', 'accept']) expect((await t.post(`/quotes/${id}/${action}`, {})).statusCode).toBe(200);
  return id;
};

const place = (quoteId: string, extra: Record<string, unknown> = {}, role = 'sales_rep') =>
  t.post('/orders', { quoteId, promisedDeliveryDate: '2026-03-20', ...extra }, { role });
const placed = async (quoteId: string, extra: Record<string, unknown> = {}) => {
  const response = await place(quoteId, extra);
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; streamId: string; position: number };
};
const orderView = async (id: string, after: number) => (await t.get(`/views/orders/${id}?after=${after}`)).json();
const orderEvents = (streamId: string) => t.system.eventStore.readStream(streamId);

beforeAll(async () => {
  t = await startTestApp({ clock });
  await publish('FW-100', 100_000);
  await publish('EDR-1', 50_000);
  await certifySeller(t, ['FW-100', 'EDR-1']);
});
afterAll(() => t.close());

describe('placing an order', () => {
  it("carries the accepted quote's lines and total, and the credit facts it was judged on", async () => {
    const customerId = await customer(1_000_000);
    const quoteId = await acceptedQuote(customerId, [fw(5), edr(2)]);
    const response = await place(quoteId);
    expect(response.statusCode).toBe(201);
    const order = response.json();
    expect(order).toEqual({ id: expect.any(String), streamId: `order-${order.id}`, revision: 0, position: expect.any(Number), events: ['OrderPlaced'] });
    const [event] = await orderEvents(order.streamId);
    expect(event!.data).toEqual({
      orderId: order.id,
      quoteId,
      customerId,
      lines: [
        { sku: 'FW-100', qty: 5, unitPrice: cny(100_000), netTotal: cny(500_000) },
        { sku: 'EDR-1', qty: 2, unitPrice: cny(50_000), netTotal: cny(100_000) },
      ],
      total: cny(600_000),
      promisedDeliveryDate: '2026-03-20',
      creditCheck: { limit: cny(1_000_000), openOrdersTotal: cny(0), riskFlagged: false },
    });
    expect(event!.metadata.customerId).toBe(customerId);
    expect(await orderView(order.id, order.position)).toMatchObject({
      status: 'placed',
      open: true,
      total: cny(600_000),
      items: [
        { sku: 'FW-100', ordered: 5, delivered: 0 },
        { sku: 'EDR-1', ordered: 2, delivered: 0 },
      ],
    });
  });

  it("takes the purchase order the order desk keys in when it matches the quote, lines in any order", async () => {
    const customerId = await customer(1_000_000);
    const quoteId = await acceptedQuote(customerId, [fw(5), edr(2)]);
    const lines = [
      { sku: 'EDR-1', qty: 2, unitPrice: cny(50_000), netTotal: cny(100_000) },
      { sku: 'FW-100', qty: 5, unitPrice: cny(100_000), netTotal: cny(500_000) },
    ];
    const order = await placed(quoteId, { customerId, lines, total: cny(600_000) });
    const [event] = await orderEvents(order.streamId);
    expect(event!.data).toMatchObject({ customerId, lines, total: cny(600_000) });
  });

  it(`refuses a purchase order for another customer than the quote's (ORD-03), appending nothing`, async () => {
    const customerId = await customer(1_000_000);
    const otherCustomer = await customer(1_000_000);
    const quoteId = await acceptedQuote(customerId, [fw(1)]);
    const head = await t.system.eventStore.headPosition();
    const refused = await place(quoteId, { customerId: otherCustomer });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'ORD-03' }, detail: expect.stringContaining(`made for customer ${customerId}, not ${otherCustomer}`) });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it(`refuses a purchase order whose lines, prices or total differ from the accepted quote's (ORD-04), appending nothing`, async () => {
    const customerId = await customer(1_000_000);
    const quoteId = await acceptedQuote(customerId, [fw(5), edr(2)]);
    const head = await t.system.eventStore.headPosition();
    const quoted = [
      { sku: 'FW-100', qty: 5, unitPrice: cny(100_000), netTotal: cny(500_000) },
      { sku: 'EDR-1', qty: 2, unitPrice: cny(50_000), netTotal: cny(100_000) },
    ];
    const moreFirewalls = [{ ...quoted[0]!, qty: 6, netTotal: cny(600_000) }, quoted[1]!];
    const cheaperEdr = [quoted[0]!, { ...quoted[1]!, unitPrice: cny(40_000), netTotal: cny(80_000) }];
    for (const purchaseOrder of [{ lines: moreFirewalls }, { lines: cheaperEdr }, { lines: [quoted[0]!] }]) {
      const refused = await place(quoteId, purchaseOrder);
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ rule: { id: 'ORD-04' }, detail: "The lines differ from the quote's" });
    }
    const wrongTotal = await place(quoteId, { lines: quoted, total: cny(550_000) });
    expect(wrongTotal.json()).toMatchObject({ status: 422, rule: { id: 'ORD-04' }, detail: expect.stringContaining('differs from the quote') });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('takes a promised delivery date given as a date-time as the day it is in the company (Beijing)', async () => {
    const customerId = await customer(1_000_000);
    const quoteId = await acceptedQuote(customerId, [fw(1)]);
    const response = await place(quoteId, { promisedDeliveryDate: '2026-03-20T17:00:00Z' });
    expect(response.statusCode).toBe(201);
    const [event] = await orderEvents(response.json().streamId);
    expect((event!.data as { promisedDeliveryDate: string }).promisedDeliveryDate).toBe('2026-03-21');
  });

  it('places one order per accepted quote: a second is 409, a retry of the first replays it', async () => {
    const customerId = await customer(1_000_000);
    const quoteId = await acceptedQuote(customerId, [fw(1)]);
    const headers = { 'idempotency-key': 'order-once-0001' };
    const first = await t.post('/orders', { quoteId, promisedDeliveryDate: '2026-03-20' }, { headers });
    expect(first.statusCode).toBe(201);
    const retry = await t.post('/orders', { quoteId, promisedDeliveryDate: '2026-03-20' }, { headers });
    expect(retry.json()).toEqual(first.json());
    const second = await place(quoteId);
    expect(second.statusCode).toBe(409);
    expect(second.json().type).toBe('/problems/already-exists');
    expect(await orderEvents(first.json().streamId)).toHaveLength(1);
  });

  it('answers 404 for an unknown quote, 400 for a date that does not parse, 422 for a quote not accepted or a date already past', async () => {
    const customerId = await customer(1_000_000);
    const head = await t.system.eventStore.headPosition();
    const missing = '0193a000-0000-7000-8000-000000000005';
    expect((await place(missing)).json()).toMatchObject({ status: 404, resource: 'Quote', id: missing });
    const opportunityId = (await t.post('/opportunities', { customerId, title: 'Draft only', ownerId: 'dev-sales-rep', amount: cny(1) })).json().id;
    const draft = (await t.post('/quotes', { opportunityId, lines: [fw(1)], validUntil: '2026-03-31T00:00:00Z' })).json();
    const afterSetup = await t.system.eventStore.headPosition();
    expect(afterSetup).toBeGreaterThan(head!);
    expect((await place(draft.id)).json()).toMatchObject({ status: 422, rule: { id: 'ORD-02' } });
    const accepted = await acceptedQuote(customerId, [fw(1)]);
    const before = await t.system.eventStore.headPosition();
    const badDate = await place(accepted, { promisedDeliveryDate: '2026-13-01' });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().errors[0].field).toBe('promisedDeliveryDate');
    expect((await place(accepted, { promisedDeliveryDate: '2026-03-01' })).json().rule.id).toBe('ORD-06');
    expect(await t.system.eventStore.headPosition()).toBe(before);
  });

  it('refuses a customer without a credit limit unless finance overrides with a reason', async () => {
    const customerId = await customer();
    const quoteId = await acceptedQuote(customerId, [fw(1)]);
    const head = await t.system.eventStore.headPosition();
    expect((await place(quoteId)).json()).toMatchObject({ status: 422, rule: { id: 'ORD-07' } });
    const byRep = await place(quoteId, { creditOverride: { reason: 'I know them' } });
    expect(byRep.json().rule.id).toBe('ORD-09');
    expect((await place(quoteId, { creditOverride: {} }, 'finance')).statusCode).toBe(400);
    expect(await t.system.eventStore.headPosition()).toBe(head);
    const overridden = await place(quoteId, { creditOverride: { reason: 'prepaid by wire, receipt FIN-77' } }, 'finance');
    expect(overridden.statusCode).toBe(201);
    const [event] = await orderEvents(overridden.json().streamId);
    expect(event!.data).toMatchObject({
      creditCheck: { limit: null, openOrdersTotal: cny(0), riskFlagged: false },
      creditOverride: { reason: 'prepaid by wire, receipt FIN-77', by: { id: 'dev-finance', role: 'finance' }, overrode: ['credit_limit'] },
    });
    expect(await orderView(overridden.json().id, overridden.json().position)).toMatchObject({ creditOverridden: true });
  });

  it('counts orders neither completed nor cancelled against the limit', async () => {
    const customerId = await customer(800_000);
    const first = await placed(await acceptedQuote(customerId, [fw(5)]));
    const secondQuote = await acceptedQuote(customerId, [fw(5)]);
    const over = await place(secondQuote);
    expect(over.json()).toMatchObject({ status: 422, rule: { id: 'ORD-07' } });
    expect(over.json().detail).toMatch(/500000 CNY minor units open/);
    await t.post(`/orders/${first.id}/cancel`, { reason: 'customer merged the two orders' });
    await placed(secondQuote);
    const third = await placed(await acceptedQuote(customerId, [fw(3)]));
    const [event] = await orderEvents(third.streamId);
    expect(event!.data).toMatchObject({ creditCheck: { limit: cny(800_000), openOrdersTotal: cny(500_000) } });
  });

  it("refuses an order that would carry the customer's open orders past the amount limit, even with finance's override (ORD-20)", async () => {
    const LIMIT = 1_000_000_000_000_000;
    await publish('BIG-1', LIMIT);
    await certifySeller(t, ['BIG-1']);
    const customerId = await customer(LIMIT);
    await placed(await acceptedQuote(customerId, [{ sku: 'BIG-1', qty: 1, unitPrice: cny(LIMIT), discountPct: 0 }]));
    const quoteId = await acceptedQuote(customerId, [fw(1)]);
    const head = await t.system.eventStore.headPosition();
    const response = await place(quoteId, { creditOverride: { reason: 'board approval' } }, 'finance');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      type: '/problems/rule-refused',
      rule: { id: 'ORD-20', name: "A customer's open orders, this one included, stay within the amount limit" },
      detail: '100000 CNY minor units on top of 1000000000000000 CNY minor units open passes the amount limit of 10^15',
    });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it("answers 400 naming the field for an order desk's total or quantity past the bounds", async () => {
    const quoteId = await acceptedQuote(await customer(1_000_000), [fw(1)]);
    const total = await place(quoteId, { total: cny(1_000_000_000_000_001) });
    expect(total.json()).toMatchObject({ status: 400, errors: [{ in: 'body', field: 'total.minor', message: 'at most 10^15 minor units, the amount limit' }] });
    const qty = await place(quoteId, { lines: [{ sku: 'FW-100', qty: 1_000_001, unitPrice: cny(100_000), netTotal: cny(100_000) }] });
    expect(qty.json()).toMatchObject({ status: 400, errors: [{ in: 'body', field: 'lines.0.qty', message: 'at most 1,000,000 units a line' }] });
  });

  it('refuses a customer flagged as a risk unless finance overrides', async () => {
    const customerId = await customer(10_000_000);
    expect((await t.post(`/customers/${customerId}/risk`, { flagged: true, reason: 'overdue invoices' })).statusCode).toBe(200);
    const quoteId = await acceptedQuote(customerId, [fw(1)]);
    expect((await place(quoteId)).json().rule.id).toBe('ORD-08');
    const overridden = await place(quoteId, { creditOverride: { reason: 'CFO signed off' } }, 'finance');
    const [event] = await orderEvents(overridden.json().streamId);
    expect(event!.data).toMatchObject({ creditOverride: { overrode: ['risk_flag'] } });
  });
});

describe('working an order', () => {
  it('confirms, delivers in parts but never more than ordered, and completes once everything is delivered', async () => {
    const customerId = await customer(10_000_000);
    const order = await placed(await acceptedQuote(customerId, [fw(5), edr(2)]));
    const at = (path: string, body: unknown = {}) => t.post(`/orders/${order.id}/${path}`, body);

    expect((await at('deliver', { lines: [{ sku: 'FW-100', qty: 1 }] })).json().rule.id).toBe('ORD-13');
    expect((await at('confirm')).json().events).toEqual(['OrderConfirmed']);
    expect((await at('confirm')).json().rule.id).toBe('ORD-12');

    const partial = await at('deliver', { lines: [{ sku: 'FW-100', qty: 2 }] });
    expect(partial.json().events).toEqual(['OrderDelivered']);
    expect(await orderView(order.id, partial.json().position)).toMatchObject({
      status: 'confirmed',
      deliveries: 1,
      fullyDelivered: false,
      late: false,
      items: [
        { sku: 'FW-100', ordered: 5, delivered: 2 },
        { sku: 'EDR-1', ordered: 2, delivered: 0 },
      ],
    });

    const length = (await orderEvents(order.streamId)).length;
    const negative = await at('deliver', { lines: [{ sku: 'FW-100', qty: -1 }] });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().errors[0].field).toBe('lines.0.qty');
    expect((await at('deliver', { lines: [{ sku: 'FW-100', qty: 4 }] })).json().rule.id).toBe('ORD-16');
    expect((await at('deliver', { lines: [{ sku: 'AV-9', qty: 1 }] })).json().rule.id).toBe('ORD-15');
    expect((await at('complete')).json().rule.id).toBe('ORD-17');
    expect((await at('cancel', { reason: 'too slow' })).json().rule.id).toBe('ORD-19');
    expect(await orderEvents(order.streamId)).toHaveLength(length);

    const rest = await at('deliver', { lines: [{ sku: 'FW-100', qty: 3 }, { sku: 'EDR-1', qty: 2 }] });
    expect(rest.json().events).toEqual(['OrderDelivered', 'OrderFullyDelivered']);
    const completed = await at('complete');
    expect(completed.json().events).toEqual(['OrderCompleted']);
    expect(await orderView(order.id, completed.json().position)).toMatchObject({ status: 'completed', open: false, fullyDelivered: true, deliveries: 2 });
    expect((await at('cancel', { reason: 'late change' })).json().rule.id).toBe('ORD-11');
  });

  it('records a delivery after the promised date as late, and the view filters on it', async () => {
    const customerId = await customer(10_000_000);
    const onTime = await placed(await acceptedQuote(customerId, [fw(1)]), { promisedDeliveryDate: '2026-03-02' });
    const late = await placed(await acceptedQuote(customerId, [fw(1)]), { promisedDeliveryDate: '2026-03-02' });
    for (const order of [onTime, late]) await t.post(`/orders/${order.id}/confirm`, {});
    await t.post(`/orders/${onTime.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 1 }] });
    const before = clock.at;
    clock.at = '2026-03-03T08:00:00.000Z';
    try {
      const delivered = await t.post(`/orders/${late.id}/deliver`, { lines: [{ sku: 'FW-100', qty: 1 }] });
      const [deliveredEvent, fully] = (await orderEvents(late.streamId)).slice(-2);
      expect(deliveredEvent!.data).toMatchObject({ late: true });
      expect(fully!.data).toMatchObject({ late: true, promisedDeliveryDate: '2026-03-02' });
      const lateList = await t.get(`/views/orders?customerId=${customerId}&late=true&after=${delivered.json().position}`);
      expect(lateList.json().items).toMatchObject([{ id: late.id, late: true, lateDeliveries: 1, fullyDelivered: true }]);
      const onTimeList = await t.get(`/views/orders?customerId=${customerId}&late=false`);
      expect(onTimeList.json().items.map((o: { id: string }) => o.id)).toEqual([onTime.id]);
    } finally {
      clock.at = before;
    }
  });

  it('cancels only with a reason, and lists orders by status', async () => {
    const customerId = await customer(10_000_000);
    const kept = await placed(await acceptedQuote(customerId, [fw(1)]));
    const dropped = await placed(await acceptedQuote(customerId, [edr(1)]));
    expect((await t.post(`/orders/${dropped.id}/cancel`, {})).statusCode).toBe(400);
    const cancelled = await t.post(`/orders/${dropped.id}/cancel`, { reason: 'budget cut' }, { role: 'finance' });
    expect(cancelled.json().events).toEqual(['OrderCancelled']);
    const list = await t.get(`/views/orders?customerId=${customerId}&status=cancelled&after=${cancelled.json().position}`, { role: 'analyst' });
    expect(list.json().items).toMatchObject([{ id: dropped.id, open: false, cancelReason: 'budget cut' }]);
    const placedList = await t.get(`/views/orders?customerId=${customerId}&status=placed`);
    expect(placedList.json().items.map((o: { id: string }) => o.id)).toEqual([kept.id]);
    expect((await t.get('/views/orders?late=maybe')).statusCode).toBe(400);
  });

  it('answers 404 for an unknown order', async () => {
    expect((await t.post('/orders/0193a000-0000-7000-8000-000000000006/confirm', {})).json()).toMatchObject({ status: 404, resource: 'Order' });
    expect((await t.get('/views/orders/0193a000-0000-7000-8000-000000000006')).statusCode).toBe(404);
  });
});
