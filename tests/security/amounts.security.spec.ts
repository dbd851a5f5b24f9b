import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certifySeller } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/**
 * Amounts and quantities built to overflow. JavaScript numbers hold integers exactly only up to
 * 2^53 - 1, so a figure past that, or a sum of figures past it, is either refused (400 naming the
 * field, 422 naming the rule) or kept exact; never a 500, and never a rounded figure served as if
 * it were the real one.
 */
const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const LARGEST_SAFE = Number.MAX_SAFE_INTEGER;
const AMOUNT_LIMIT = 1_000_000_000_000_000;

let t: TestApp;
const cny = (minor: number) => ({ minor, currency: 'CNY' });

const publish = async (sku: string, list: number) => {
  const body = {
    sku,
    name: sku,
    capabilities: [],
    maxSla: { availabilityPct: 99.9, responseHours: 4 },
    leadTimeDays: 14,
    listPrice: cny(list),
    floorPrice: cny(1),
    unitCost: cny(1),
  };
  const response = await t.post('/products', body, { role: 'sales_manager' });
  expect(response.statusCode, response.body).toBe(201);
};

const customer = async () => (await t.post('/customers', { name: 'Overflow Bank', industry: 'finance', region: 'east' })).json().id as string;
const opportunity = async (customerId: string, amount = cny(1)) => {
  const response = await t.post('/opportunities', { customerId, title: 'Overflow', ownerId: 'dev-sales-rep', amount });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; position: number };
};

type Line = { sku: string; qty: number; unitPrice: { minor: number; currency: string }; discountPct: number };
const line = (sku: string, qty: number, unitPrice: number): Line => ({ sku, qty, unitPrice: cny(unitPrice), discountPct: 0 });
/** A fresh deal, and a send that drafts a quote on it with the lines given. */
const draftOn = async () => {
  const { id: opportunityId } = await opportunity(await customer());
  return (lines: Line[]) => t.post('/quotes', { opportunityId, lines, validUntil: '2026-03-31T00:00:00Z' });
};

/** The fields a 400 names, as `in.field`. */
const fieldsNamed = (body: { errors?: { in: string; field: string }[] }) => (body.errors ?? []).map((e) => `${e.in}.${e.field}`);

/** Sends a hostile request: whatever the answer, never a 500 and nothing appended. */
const refusedWithoutTrace = async (send: () => Promise<LightMyRequestResponse>) => {
  const head = await t.system.eventStore.headPosition();
  const response = await send();
  expect(response.statusCode, response.body).not.toBe(500);
  expect(await t.system.eventStore.headPosition()).toBe(head);
  return response;
};

beforeAll(async () => {
  t = await startTestApp({ clock });
  await publish('OVF-1', 100_000);
  await publish('OVF-BIG', AMOUNT_LIMIT);
  await certifySeller(t, ['OVF-1', 'OVF-BIG']);
});
afterAll(() => t.close());

describe('the bounds, published in the OpenAPI document', () => {
  /** Enough of a JSON schema to walk down to a field. */
  type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; [keyword: string]: unknown };
  type Content = { content: { 'application/json': { schema: JsonSchema } } };
  type OpenApi = { paths: Record<string, { post?: { requestBody: Content }; get?: { responses: Record<string, Content> } }> };
  const openApi = async () => (await t.app.inject('/openapi.json')).json() as OpenApi;

  /** The schema at a dotted path in a body, `[]` stepping into an array's items. */
  const at = (schema: JsonSchema | undefined, path: string) =>
    path.split('.').reduce((s, key) => (key === '[]' ? s?.items : s?.properties?.[key]), schema);
  const body = (openapi: OpenApi, route: string, path: string) => at(openapi.paths[route]?.post?.requestBody.content['application/json'].schema, path);

  it('gives every amount and line quantity a client may send its minimum and maximum', async () => {
    const openapi = await openApi();
    expect(body(openapi, '/quotes', 'lines.[].qty')).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_000_000 });
    expect(body(openapi, '/quotes', 'lines.[].unitPrice.minor')).toMatchObject({ type: 'integer', minimum: 0, maximum: AMOUNT_LIMIT });
    expect(body(openapi, '/opportunities', 'amount.minor')).toMatchObject({ type: 'integer', minimum: 0, maximum: AMOUNT_LIMIT });
    expect(body(openapi, '/orders', 'total.minor')).toMatchObject({ minimum: 0, maximum: AMOUNT_LIMIT });
    expect(body(openapi, '/orders', 'lines.[].qty')).toMatchObject({ minimum: 1, maximum: 1_000_000 });
    expect(body(openapi, '/promises', 'committed.price.minor')).toMatchObject({ minimum: -AMOUNT_LIMIT, maximum: AMOUNT_LIMIT });
  });

  it('says a pipeline total past what a JSON number holds comes as a decimal string', async () => {
    const summary = (await openApi()).paths['/views/pipeline/summary']?.get?.responses['200']?.content['application/json'].schema;
    expect(at(summary, 'stages.[].totals.[].minor')).toMatchObject({ description: expect.stringMatching(/null when the total is beyond 2\^53 - 1/) });
    expect(at(summary, 'stages.[].totals.[].minorDecimal')).toMatchObject({ type: 'string', pattern: '^-?\\d+$' });
  });
});

describe('figures beyond the amount limit, refused at the edge with a 400 naming the field', () => {
  const cases: { about: string; url: string; body: unknown; role?: string; field: string }[] = [
    { about: 'a quote line of 1,000,000,000 units at 2^53 - 1', url: '/quotes', body: { opportunityId: '0193a000-0000-7000-8000-000000000001', lines: [line('OVF-1', 1_000_000_000, LARGEST_SAFE)], validUntil: '2026-03-31T00:00:00Z' }, field: 'body.lines.0.qty' },
    { about: 'a quote line priced at 2^53 - 1', url: '/quotes', body: { opportunityId: '0193a000-0000-7000-8000-000000000001', lines: [line('OVF-1', 3, LARGEST_SAFE)], validUntil: '2026-03-31T00:00:00Z' }, field: 'body.lines.0.unitPrice.minor' },
    { about: 'a quote line of a million and one units', url: '/quotes', body: { opportunityId: '0193a000-0000-7000-8000-000000000001', lines: [line('OVF-1', 1_000_001, 1)], validUntil: '2026-03-31T00:00:00Z' }, field: 'body.lines.0.qty' },
    { about: 'an opportunity worth 2^53 - 1', url: '/opportunities', body: { customerId: '0193a000-0000-7000-8000-000000000001', title: 'x', ownerId: 'dev-sales-rep', amount: cny(LARGEST_SAFE) }, field: 'body.amount.minor' },
    { about: 'an opportunity worth one past the limit', url: '/opportunities', body: { customerId: '0193a000-0000-7000-8000-000000000001', title: 'x', ownerId: 'dev-sales-rep', amount: cny(AMOUNT_LIMIT + 1) }, field: 'body.amount.minor' },
    { about: 'an opportunity worth 1e21, a float', url: '/opportunities', body: { customerId: '0193a000-0000-7000-8000-000000000001', title: 'x', ownerId: 'dev-sales-rep', amount: cny(1e21) }, field: 'body.amount.minor' },
    { about: 'a lead converted into a deal worth 2^53 - 1', url: '/leads/0193a000-0000-7000-8000-000000000001/convert', body: { customerId: '0193a000-0000-7000-8000-000000000001', opportunity: { title: 'x', ownerId: 'dev-sales-rep', amount: cny(LARGEST_SAFE) } }, field: 'body.opportunity.amount.minor' },
    { about: 'a credit limit of 2^53 - 1', url: '/customers/0193a000-0000-7000-8000-000000000001/credit-limit', body: { limit: cny(LARGEST_SAFE) }, role: 'finance', field: 'body.limit.minor' },
    { about: 'a list price of 2^53 - 1', url: '/products', body: { sku: 'OVF-X', name: 'x', capabilities: [], maxSla: { availabilityPct: 99, responseHours: 4 }, leadTimeDays: 1, listPrice: cny(LARGEST_SAFE), floorPrice: cny(1), unitCost: cny(1) }, role: 'sales_manager', field: 'body.listPrice.minor' },
    { about: 'a promised price of -(2^53 - 1)', url: '/promises', body: { customerId: '0193a000-0000-7000-8000-000000000001', kind: 'price', statement: 'x', committed: { price: cny(-LARGEST_SAFE) }, dueDate: '2026-03-20' }, field: 'body.committed.price.minor' },
    { about: "an order desk's total of 2^53 - 1", url: '/orders', body: { quoteId: '0193a000-0000-7000-8000-000000000001', promisedDeliveryDate: '2026-03-20', total: cny(LARGEST_SAFE) }, role: 'sales_rep', field: 'body.total.minor' },
    { about: 'a delivery of 1,000,000,000 units', url: '/orders/0193a000-0000-7000-8000-000000000001/deliver', body: { lines: [{ sku: 'OVF-1', qty: 1_000_000_000 }] }, role: 'sales_rep', field: 'body.lines.0.qty' },
  ];

  for (const { about, url, body, role, field } of cases) {
    it(`refuses ${about}`, async () => {
      const response = await refusedWithoutTrace(() => t.post(url, body, role ? { role } : {}));
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ type: '/problems/invalid-input', status: 400 });
      expect(fieldsNamed(response.json())).toContain(field);
    });
  }
});

describe('a quote whose figures would pass the amount limit, refused by QUO-27', () => {
  const cases: { about: string; lines: Line[] }[] = [
    { about: 'a million units at the largest unit price', lines: [line('OVF-1', 1_000_000, AMOUNT_LIMIT)] },
    { about: 'two units at the largest list price, sold for one minor unit each', lines: [line('OVF-BIG', 2, 1)] },
    { about: 'ten lines each within the limit, whose total passes 2^53', lines: Array.from({ length: 10 }, () => line('OVF-BIG', 1, AMOUNT_LIMIT)) },
    { about: 'two lines whose total is one past the limit', lines: [line('OVF-1', 1, AMOUNT_LIMIT), line('OVF-1', 1, 1)] },
  ];

  for (const { about, lines } of cases) {
    it(`refuses ${about}`, async () => {
      const draft = await draftOn();
      const response = await refusedWithoutTrace(() => draft(lines));
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'QUO-27' } });
    });
  }

  it('takes a quote whose total is exactly the limit', async () => {
    const response = await (await draftOn())([line('OVF-1', 1, AMOUNT_LIMIT - 1), line('OVF-1', 1, 1)]);
    expect(response.statusCode, response.body).toBe(201);
    const [drafted] = await t.system.eventStore.readStream(response.json().streamId);
    expect(drafted!.data).toMatchObject({ total: cny(AMOUNT_LIMIT) });
  });
});

describe("a customer's open orders added up past the amount limit", () => {
  const acceptedQuote = async (customerId: string) => {
    const quote = await t.post('/quotes', { opportunityId: (await opportunity(customerId)).id, lines: [line('OVF-BIG', 1, AMOUNT_LIMIT)], validUntil: '2026-03-31T00:00:00Z' });
    expect(quote.statusCode, quote.body).toBe(201);
    const { id } = quote.json();
    for (const action of ['submit', 'send', 'accept']) expect((await t.post(`/quotes/${id}/${action}`, {})).statusCode).toBe(200);
    return id as string;
  };

  it('are refused by ORD-20 even with a finance override, before an order records an exposure past the limit', async () => {
    const customerId = await customer();
    expect((await t.post(`/customers/${customerId}/credit-limit`, { limit: cny(AMOUNT_LIMIT) }, { role: 'finance' })).statusCode).toBe(200);
    const order = (quoteId: string) => t.post('/orders', { quoteId, promisedDeliveryDate: '2026-03-20', creditOverride: { reason: 'board approval' } }, { role: 'finance' });
    expect((await order(await acceptedQuote(customerId))).statusCode).toBe(201);
    const second = await acceptedQuote(customerId);
    const response = await refusedWithoutTrace(() => order(second));
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'ORD-20' } });
  });
});

describe('pipeline totals past what a JSON number holds exactly', () => {
  /** Nine deals at the limit and one just under it: 9,999,999,999,999,999, which no JavaScript number holds. */
  const AMOUNTS = [...Array.from({ length: 9 }, () => AMOUNT_LIMIT), AMOUNT_LIMIT - 1];
  let deals: string[] = [];
  let position = 0;

  beforeAll(async () => {
    const customerId = await customer();
    for (const minor of AMOUNTS) {
      const opened = await opportunity(customerId, { minor, currency: 'XTS' });
      deals.push(opened.id);
      position = opened.position;
    }
  });

  const xts = <T extends { currency: string }>(totals: T[]) => totals.filter((m) => m.currency === 'XTS');

  it('serves the summary exactly, the figure as a decimal string and no rounded number', async () => {
    for (const role of ['analyst', 'sales_rep']) {
      const summary = (await t.get(`/views/pipeline/summary?after=${position}`, { role })).json();
      const qualification = summary.stages.find((s: { stage: string }) => s.stage === 'qualification');
      expect(xts(qualification.totals), role).toEqual([{ minor: null, minorDecimal: '9999999999999999', currency: 'XTS' }]);
    }
  });

  it('serves the forecast exactly, totals and weighted figures alike', async () => {
    const forecast = (await t.get(`/views/pipeline/forecast?currency=XTS&after=${position}`, { role: 'analyst' })).json();
    const qualification = forecast.stages.find((s: { stage: string }) => s.stage === 'qualification');
    expect(qualification.totals).toEqual([{ minor: null, minorDecimal: '9999999999999999', currency: 'XTS' }]);
    // 10% of it, rounded half-up: 999,999,999,999,999.9 -> 1,000,000,000,000,000.
    expect(qualification.weighted).toEqual([{ minor: AMOUNT_LIMIT, currency: 'XTS' }]);
    expect(forecast.weighted).toEqual([{ minor: AMOUNT_LIMIT, currency: 'XTS' }]);
  });

  it('comes back to the exact figure once deals close, with no rounding left behind', async () => {
    for (const id of deals.slice(0, 9)) {
      const lost = await t.post(`/opportunities/${id}/lose`, { reason: 'budget frozen' });
      expect(lost.statusCode).toBe(200);
      position = lost.json().position;
    }
    const summary = (await t.get(`/views/pipeline/summary?after=${position}`, { role: 'analyst' })).json();
    const qualification = summary.stages.find((s: { stage: string }) => s.stage === 'qualification');
    expect(xts(qualification.totals)).toEqual([{ minor: AMOUNT_LIMIT - 1, currency: 'XTS' }]);
    deals = [];
  });
});
