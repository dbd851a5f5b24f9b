import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_KEYS } from '../../infrastructure/config.js';
import { certifySeller } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const VALID_UNTIL = '2026-03-31T00:00:00.000Z';
const cny = (minor: number) => ({ minor, currency: 'CNY' });
// A second sales rep under a key of their own, so a rep other than the submitter can try to approve.
const OTHER_REP_KEY = 'other-sales-rep-key-0001';
const asOtherRep = { headers: { authorization: `Bearer ${OTHER_REP_KEY}` } };

let t: TestApp;
let customerId: string;
let opportunityId: string;
let promotionId: string;

const publish = async (sku: string, list: number, floor: number) => {
  const body = {
    sku,
    name: sku,
    capabilities: ['intrusion prevention'],
    maxSla: { availabilityPct: 99.9, responseHours: 4 },
    leadTimeDays: 14,
    listPrice: cny(list),
    floorPrice: cny(floor),
    unitCost: cny(floor / 2),
  };
  expect((await t.post('/products', body, { role: 'sales_manager' })).statusCode).toBe(201);
};

const registerCustomer = async (region = 'east') => (await t.post('/customers', { name: 'Acme Bank', industry: 'finance', region })).json().id as string;
const openOpportunity = async (customer: string) =>
  (await t.post('/opportunities', { customerId: customer, title: 'Firewall refresh', ownerId: 'dev-sales-rep', amount: cny(500_000) })).json().id as string;

type Line = { sku: string; qty: number; unitPrice: { minor: number; currency: string }; discountPct: number; promotionId?: string };
const line = (sku: string, qty: number, unitPrice: number, discountPct = 0, extra: Partial<Line> = {}): Line => ({ sku, qty, unitPrice: cny(unitPrice), discountPct, ...extra });
const draft = (lines: Line[], extra: Record<string, unknown> = {}, options: { role?: string; headers?: Record<string, string> } = {}) =>
  t.post('/quotes', { opportunityId, lines, validUntil: VALID_UNTIL, ...extra }, options);
const drafted = async (lines: Line[]) => {
  const response = await draft(lines);
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; streamId: string; position: number };
};
const quoteView = async (id: string, after: number) => (await t.get(`/views/quotes/${id}?after=${after}`)).json();
const streamLength = async (streamId: string) => (await t.system.eventStore.readStream(streamId)).length;

beforeAll(async () => {
  const keys = { ...DEVELOPMENT_KEYS, [OTHER_REP_KEY]: { actorId: 'rep-wang', role: 'sales_rep' } };
  t = await startTestApp({ clock, env: { API_KEYS: JSON.stringify(keys) } });
  await publish('FW-100', 100_000, 70_000);
  await publish('EDR-1', 50_000, 40_000);
  await certifySeller(t, ['FW-100', 'EDR-1']);
  const promotion = await t.post(
    '/promotions',
    { name: 'Spring EDR', skus: ['EDR-1'], discountPct: 10, validFrom: '2026-03-01T00:00:00Z', validTo: '2026-04-01T00:00:00Z', eligibility: { regions: ['east'] } },
    { role: 'sales_manager' },
  );
  expect(promotion.statusCode).toBe(201);
  promotionId = promotion.json().id;
  customerId = await registerCustomer();
  opportunityId = await openOpportunity(customerId);
});
afterAll(() => t.close());

describe('drafting', () => {
  it('prices every line in integer minor units and takes customer and owner from the opportunity', async () => {
    const response = await draft([line('FW-100', 3, 100_000, 5), line('EDR-1', 1, 33_333, 3.33)]);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({ id: expect.any(String), streamId: `quote-${body.id}`, revision: 0, position: expect.any(Number), events: ['QuoteDrafted'] });
    const [event] = await t.system.eventStore.readStream(body.streamId);
    // 3 x 100000 less 5% = 285000; 33333 less 3.33% = 33333 - 1110 (1109.99 rounded half-up) = 32223.
    expect(event!.data).toMatchObject({
      opportunityId,
      customerId,
      ownerId: 'dev-sales-rep',
      subtotal: cny(350_000),
      total: cny(317_223),
      discountTotal: cny(32_777),
      lines: [
        { sku: 'FW-100', listTotal: cny(300_000), netTotal: cny(285_000), floorPrice: cny(70_000) },
        { sku: 'EDR-1', listTotal: cny(50_000), netTotal: cny(32_223) },
      ],
    });
    expect(event!.metadata.customerId).toBe(customerId);
    expect(await quoteView(body.id, body.position)).toMatchObject({ status: 'draft', total: cny(317_223), customerId, ownerId: 'dev-sales-rep' });
  });

  it('keeps validUntil as UTC whatever offset it was given in', async () => {
    const response = await draft([line('FW-100', 1, 100_000)], { validUntil: '2026-03-31T08:00:00+08:00' });
    const [event] = await t.system.eventStore.readStream(response.json().streamId);
    expect((event!.data as { validUntil: string }).validUntil).toBe('2026-03-31T00:00:00.000Z');
  });

  it('answers a retry under the same Idempotency-Key with the first answer', async () => {
    const headers = { 'idempotency-key': 'draft-quote-0001' };
    const first = await draft([line('FW-100', 1, 100_000)], {}, { headers });
    const again = await draft([line('FW-100', 1, 100_000)], {}, { headers });
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses a quote for an opportunity already lost (QUO-24), appending nothing', async () => {
    const lostOpportunity = await openOpportunity(await registerCustomer());
    expect((await t.post(`/opportunities/${lostOpportunity}/lose`, { reason: 'went with a competitor' })).statusCode).toBe(200);
    const head = await t.system.eventStore.headPosition();
    const response = await draft([line('FW-100', 1, 100_000)], { opportunityId: lostOpportunity });
    expect(response.statusCode).toBe(422);
    expect(response.json().rule.id).toBe('QUO-24');
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 404 for an unknown opportunity, sku or promotion, appending nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const missing = '0193a000-0000-7000-8000-000000000001';
    const opportunity = await t.post('/quotes', { opportunityId: missing, lines: [line('FW-100', 1, 100_000)], validUntil: VALID_UNTIL });
    expect(opportunity.statusCode).toBe(404);
    expect(opportunity.json()).toMatchObject({ type: '/problems/not-found', resource: 'Opportunity', id: missing });
    const sku = await draft([line('FW-100', 1, 100_000), line('NOPE-1', 1, 100)]);
    expect(sku.json()).toMatchObject({ status: 404, resource: 'Product', id: 'NOPE-1' });
    const promotion = await draft([line('EDR-1', 1, 50_000, 10, { promotionId: missing })]);
    expect(promotion.json()).toMatchObject({ status: 404, resource: 'Promotion', id: missing });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 400 field by field for float money, negative quantities, discounts outside 0-100 and dates that do not parse', async () => {
    const head = await t.system.eventStore.headPosition();
    const response = await t.post('/quotes', {
      opportunityId,
      lines: [{ sku: 'FW-100', qty: -2, unitPrice: { minor: 10.5, currency: 'CNY' }, discountPct: 150 }],
      validUntil: '2026-02-30T00:00:00Z',
    });
    expect(response.statusCode).toBe(400);
    const fields = response.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['lines.0.qty', 'lines.0.unitPrice.minor', 'lines.0.discountPct', 'validUntil']));
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 400 naming the field for a line of more than a million units or a price past the amount limit, appending nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const tooMany = await draft([line('FW-100', 1_000_001, 100_000)]);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ type: '/problems/invalid-input', errors: [{ in: 'body', field: 'lines.0.qty', message: 'at most 1,000,000 units a line' }] });
    const tooDear = await draft([line('FW-100', 1, 1_000_000_000_000_001)]);
    expect(tooDear.statusCode).toBe(400);
    expect(tooDear.json()).toMatchObject({ errors: [{ in: 'body', field: 'lines.0.unitPrice.minor', message: 'at most 10^15 minor units, the amount limit' }] });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 422 naming QUO-27 for lines whose total would pass the amount limit, appending nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const response = await draft([line('FW-100', 1_000_000, 1_000_000_000_000_000)]);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      type: '/problems/rule-refused',
      title: "Refused: A quote's lines and totals stay within the amount limit",
      rule: { id: 'QUO-27', name: "A quote's lines and totals stay within the amount limit" },
      detail: 'Line 1 (FW-100): 1000000 units come to 1000000000000000000000 minor units as quoted, past the amount limit of 10^15',
    });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 422 naming the rule for a validity already past, a discount finer than two decimals, or a promotion the customer may not have', async () => {
    const head = await t.system.eventStore.headPosition();
    const past = await draft([line('FW-100', 1, 100_000)], { validUntil: '2026-03-01T00:00:00Z' });
    expect(past.statusCode).toBe(422);
    expect(past.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'QUO-07' } });
    expect((await draft([line('FW-100', 1, 100_000, 2.555)])).json().rule.id).toBe('QUO-05');
    expect((await draft([])).json().rule.id).toBe('QUO-03');
    expect(await t.system.eventStore.headPosition()).toBe(head);
    const westOpportunity = await openOpportunity(await registerCustomer('west'));
    const afterSetup = await t.system.eventStore.headPosition();
    const west = await t.post('/quotes', { opportunityId: westOpportunity, lines: [line('EDR-1', 1, 50_000, 10, { promotionId })], validUntil: VALID_UNTIL });
    expect(west.json().rule.id).toBe('QUO-11');
    expect(await t.system.eventStore.headPosition()).toBe(afterSetup);
  });

  it('is for sellers: an analyst gets 403', async () => {
    expect((await draft([line('FW-100', 1, 100_000)], {}, { role: 'analyst' })).statusCode).toBe(403);
  });
});

describe('approval', () => {
  it('sends a quote within the submitter authority without approval', async () => {
    const quote = await drafted([line('FW-100', 1, 100_000, 10)]);
    const submitted = await t.post(`/quotes/${quote.id}/submit`, {});
    expect(submitted.json()).toMatchObject({ revision: 1, events: ['QuoteSubmitted'] });
    expect(await quoteView(quote.id, submitted.json().position)).toMatchObject({ status: 'approved', approvalRequired: false });
    expect((await t.post(`/quotes/${quote.id}/send`, {})).statusCode).toBe(200);
  });

  it('counts what a promotion grants as sanctioned, so only the rest needs authority', async () => {
    const quote = await drafted([line('EDR-1', 2, 50_000, 15, { promotionId })]);
    const submitted = await t.post(`/quotes/${quote.id}/submit`, {});
    expect(await quoteView(quote.id, submitted.json().position)).toMatchObject({ status: 'approved', approvalRequired: false });
  });

  it('holds a discount above the rep authority for a manager, never the requester', async () => {
    const quote = await drafted([line('FW-100', 2, 100_000, 20)]);
    const submitted = await t.post(`/quotes/${quote.id}/submit`, {});
    const pending = await quoteView(quote.id, submitted.json().position);
    expect(pending).toMatchObject({ status: 'pending_approval', approvalRequired: true, submittedBy: 'dev-sales-rep' });
    expect(pending.approvalReasons[0]).toMatch(/^QUO-13: /);

    expect((await t.post(`/quotes/${quote.id}/send`, {})).json().rule.id).toBe('QUO-18');
    const own = await t.post(`/quotes/${quote.id}/approve`, {});
    expect(own.statusCode).toBe(422);
    expect(own.json()).toMatchObject({ rule: { id: 'QUO-14', name: 'No one approves or rejects a quote they drafted or submitted, or one on a deal they own' } });
    expect(await streamLength(quote.streamId)).toBe(2);

    const approved = await t.post(`/quotes/${quote.id}/approve`, { reason: 'strategic account' }, { role: 'sales_manager' });
    expect(approved.json()).toMatchObject({ revision: 2, events: ['QuoteApproved'] });
    expect(await quoteView(quote.id, approved.json().position)).toMatchObject({ status: 'approved', decidedBy: 'dev-sales-manager', reason: 'strategic account' });
  });

  it('lets only a role whose authority covers the discount decide on it', async () => {
    const quote = await drafted([line('FW-100', 1, 100_000, 30)]);
    await t.post(`/quotes/${quote.id}/submit`, {});
    const manager = await t.post(`/quotes/${quote.id}/approve`, {}, { role: 'sales_manager' });
    expect(manager.json()).toMatchObject({ status: 422, rule: { id: 'QUO-15' } });
    expect((await t.post(`/quotes/${quote.id}/approve`, {}, { role: 'finance' })).statusCode).toBe(200);
  });

  it('leaves a price below the floor to a sales manager, finance or admin, not another rep (QUO-25)', async () => {
    await publish('IPS-9', 100_000, 95_000);
    // 8% off nets 920.00 under a 950.00 floor: within a rep's discount authority, yet a margin exception.
    const quote = await drafted([line('IPS-9', 1, 100_000, 8)]);
    const submitted = await t.post(`/quotes/${quote.id}/submit`, {});
    expect((await quoteView(quote.id, submitted.json().position)).approvalReasons).toEqual(["QUO-12: line 1 (IPS-9) is priced below the product's floor"]);

    const otherRep = await t.post(`/quotes/${quote.id}/approve`, {}, asOtherRep);
    expect(otherRep.statusCode).toBe(422);
    expect(otherRep.json()).toMatchObject({ rule: { id: 'QUO-25' }, policyVersion: 1 });
    expect(await streamLength(quote.streamId)).toBe(2);

    const manager = await t.post(`/quotes/${quote.id}/approve`, {}, { role: 'sales_manager' });
    expect(manager.json()).toMatchObject({ revision: 2, events: ['QuoteApproved'] });
  });

  it('rejects with a reason, after which the quote takes no further change', async () => {
    const quote = await drafted([line('FW-100', 1, 100_000, 20)]);
    await t.post(`/quotes/${quote.id}/submit`, {});
    const noReason = await t.post(`/quotes/${quote.id}/reject`, {}, { role: 'sales_manager' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    const rejected = await t.post(`/quotes/${quote.id}/reject`, { reason: 'margin too thin' }, { role: 'sales_manager' });
    expect(await quoteView(quote.id, rejected.json().position)).toMatchObject({ status: 'rejected', reason: 'margin too thin' });
    expect((await t.post(`/quotes/${quote.id}/send`, {})).json().rule.id).toBe('QUO-22');
  });
});

describe("the customer's answer", () => {
  it('records an acceptance and a decline, and lists quotes by status a page at a time', async () => {
    const accepted = await drafted([line('FW-100', 1, 100_000)]);
    const declined = await drafted([line('EDR-1', 1, 50_000)]);
    for (const q of [accepted, declined]) {
      await t.post(`/quotes/${q.id}/submit`, {});
      expect((await t.post(`/quotes/${q.id}/accept`, {})).json().rule.id).toBe('QUO-19');
      await t.post(`/quotes/${q.id}/send`, {});
    }
    expect((await t.post(`/quotes/${accepted.id}/accept`, {})).json().events).toEqual(['QuoteAccepted']);
    expect((await t.post(`/quotes/${declined.id}/decline`, {})).statusCode).toBe(400);
    const last = await t.post(`/quotes/${declined.id}/decline`, { reason: 'budget frozen' });
    const after = last.json().position;

    const acceptedList = await t.get(`/views/quotes?status=accepted&customerId=${customerId}&after=${after}`, { role: 'analyst' });
    expect(acceptedList.json().items.map((q: { id: string }) => q.id)).toEqual([accepted.id]);
    const declinedList = await t.get(`/views/quotes?status=declined&opportunityId=${opportunityId}`);
    expect(declinedList.json().items).toMatchObject([{ id: declined.id, reason: 'budget frozen' }]);

    const page1 = await t.get(`/views/quotes?customerId=${customerId}&sort=total&limit=2`);
    const page2 = await t.get(`/views/quotes?customerId=${customerId}&sort=total&limit=2&cursor=${page1.json().nextCursor}`);
    const totals = [...page1.json().items, ...page2.json().items].map((q: { total: { minor: number } }) => q.total.minor);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect((await t.get('/views/quotes?status=won')).statusCode).toBe(400);
  });

  it('refuses anything but expiry once the quote is past its validity', async () => {
    const response = await draft([line('FW-100', 1, 100_000)], { validUntil: '2026-03-02T10:00:00.000Z' });
    const before = clock.at;
    clock.at = '2026-03-02T10:00:00.000Z';
    try {
      const late = await t.post(`/quotes/${response.json().id}/submit`, {});
      expect(late.json()).toMatchObject({ status: 422, rule: { id: 'QUO-20' } });
    } finally {
      clock.at = before;
    }
  });

  it('answers 404 for an unknown quote', async () => {
    const response = await t.post('/quotes/0193a000-0000-7000-8000-000000000002/submit', {});
    expect(response.json()).toMatchObject({ status: 404, resource: 'Quote' });
  });
});
