import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });

let t: TestApp;
let customerId: string;
let opportunityId: string;

const STATEMENT = '我们保证防火墙 FW-100 支持 10Gbps 威胁检测吞吐量，并提供 7x24 小时响应。';

const record = (body: Record<string, unknown>, options: { headers?: Record<string, string> } = {}) =>
  t.post('/promises', { customerId, kind: 'other', statement: 'We will send the roadmap.', dueDate: '2026-03-20', ...body }, options);
const recorded = async (body: Record<string, unknown> = {}) => {
  const response = await record(body);
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; streamId: string };
};
const streamOf = (streamId: string) => t.system.eventStore.readStream(streamId);

beforeAll(async () => {
  t = await startTestApp({ clock });
  const product = await t.post(
    '/products',
    {
      sku: 'FW-100',
      name: 'Firewall 100',
      capabilities: ['5Gbps threat inspection'],
      maxSla: { availabilityPct: 99.9, responseHours: 4 },
      leadTimeDays: 14,
      listPrice: cny(100_000),
      floorPrice: cny(70_000),
      unitCost: cny(40_000),
    },
    { role: 'sales_manager' },
  );
  expect(product.statusCode).toBe(201);
  customerId = (await t.post('/customers', { name: '华东银行', industry: 'finance', region: 'east' })).json().id;
  opportunityId = (await t.post('/opportunities', { customerId, title: 'SOC', ownerId: 'dev-sales-rep', amount: cny(900_000) })).json().id;
});
afterAll(() => t.close());

describe('recording a promise', () => {
  it('keeps the words as said and every figure a check will need', async () => {
    const response = await record({
      opportunityId,
      kind: 'capability',
      statement: STATEMENT,
      sku: 'FW-100',
      committed: { capability: '10Gbps threat inspection', responseHours: 0.5 },
      dueDate: '2026-06-30',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ revision: 0, events: ['PromiseRecorded'] });
    const [event] = await streamOf(response.json().streamId);
    expect(event!.data).toEqual({
      promiseId: response.json().id,
      customerId,
      opportunityId,
      kind: 'capability',
      statement: STATEMENT,
      sku: 'FW-100',
      committed: { capability: '10Gbps threat inspection', responseHours: 0.5 },
      dueDate: '2026-06-30',
      madeBy: 'dev-sales-rep',
      recordedAt: clock.at,
      policyVersion: 1,
    });
    expect(event!.metadata).toMatchObject({ customerId, actor: { id: 'dev-sales-rep', role: 'sales_rep' }, policyVersion: 1 });
  });

  it("records who made the promise when their manager writes it down, and who wrote it, and keeps surrounding spaces", async () => {
    const body = { customerId, kind: 'sla', statement: '  99.99% uptime, guaranteed  ', committed: { availabilityPct: 99.99 }, dueDate: '2026-03-20', madeBy: 'dev-sales-rep' };
    const response = await t.post('/promises/on-behalf', body, { role: 'sales_manager' });
    expect(response.statusCode, response.body).toBe(201);
    const [event] = await streamOf(response.json().streamId);
    expect(event!.data).toMatchObject({ madeBy: 'dev-sales-rep', recordedBy: 'dev-sales-manager', statement: '  99.99% uptime, guaranteed  ', committed: { availabilityPct: 99.99 } });
  });

  it('takes the seller from the key: naming another seller is refused (PRM-12), and only managers and admins record on behalf', async () => {
    const head = await t.system.eventStore.headPosition();
    const named = await record({ madeBy: 'rep-zhang' });
    expect(named.json()).toMatchObject({ status: 422, rule: { id: 'PRM-12' } });
    expect((await t.post('/promises/on-behalf', { customerId, kind: 'other', statement: 'x', dueDate: '2026-03-20', madeBy: 'dev-sales-manager' })).statusCode).toBe(403);
    expect(await t.system.eventStore.headPosition()).toBe(head);
    const own = await recorded({ madeBy: 'dev-sales-rep' });
    expect((await streamOf(own.streamId))[0]!.data).toMatchObject({ madeBy: 'dev-sales-rep' });
  });

  it('answers 404 for an unknown customer, opportunity or sku, appending nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const missing = '0193a000-0000-7000-8000-000000000003';
    expect((await record({ customerId: missing })).json()).toMatchObject({ status: 404, resource: 'Customer', id: missing });
    expect((await record({ opportunityId: missing })).json()).toMatchObject({ status: 404, resource: 'Opportunity' });
    expect((await record({ kind: 'capability', sku: 'NOPE-1', committed: { capability: 'x' } })).json()).toMatchObject({ status: 404, resource: 'Product' });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it("answers 422 naming PRM-11 for a promise tied to another customer's deal, appending nothing", async () => {
    const otherCustomer = (await t.post('/customers', { name: '西部能源', industry: 'energy', region: 'west' })).json().id;
    const head = await t.system.eventStore.headPosition();
    const response = await record({ customerId: otherCustomer, opportunityId });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ rule: { id: 'PRM-11' } });
    expect(response.json().detail).toContain(customerId);
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('takes a due date given as a date-time as the day it is in the company (Beijing), and says which formats it takes otherwise', async () => {
    const late = await recorded({ dueDate: '2026-03-20T18:30:00-05:00', committed: {} });
    const early = await recorded({ dueDate: '2026-03-20T00:30:00+08:00' });
    const local = await recorded({ dueDate: '2026-03-20T23:59:00' });
    const days = await Promise.all([late, early, local].map(async ({ streamId }) => (await streamOf(streamId))[0]!.data as { dueDate: string }));
    expect(days.map((d) => d.dueDate)).toEqual(['2026-03-21', '2026-03-20', '2026-03-20']);
    const refused = (await record({ dueDate: '20 March' })).json();
    expect(refused.errors).toEqual([expect.objectContaining({ field: 'dueDate', message: expect.stringMatching(/must be a date \(YYYY-MM-DD\) or a date-time/) })]);
  });

  it('answers 400 field by field for dates that do not parse, float money and unknown kinds', async () => {
    const response = await record({ kind: 'vague', dueDate: '2026-02-30', committed: { price: { minor: 99.5, currency: 'CNY' }, deliveryDate: 'soon' } });
    expect(response.statusCode).toBe(400);
    const fields = response.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['kind', 'dueDate', 'committed.price.minor', 'committed.deliveryDate']));
    expect((await record({ statement: '' })).json().errors[0].field).toBe('statement');
  });

  it('answers 422 naming the rule for a promise without its figure, an impossible one, a past due date or an over-long statement', async () => {
    const head = await t.system.eventStore.headPosition();
    expect((await record({ kind: 'capability', committed: { capability: '10Gbps' } })).json().rule.id).toBe('PRM-03');
    expect((await record({ kind: 'sla', committed: { availabilityPct: 120 } })).json().rule.id).toBe('PRM-04');
    expect((await record({ kind: 'price', committed: { price: cny(-1) } })).json().rule.id).toBe('PRM-04');
    expect((await record({ dueDate: '2026-03-01' })).json().rule.id).toBe('PRM-05');
    expect((await record({ statement: '   ' })).json().rule.id).toBe('PRM-02');
    // 2001 characters as a reader counts them, though within the body's bound in UTF-16 units.
    expect((await record({ statement: '承'.repeat(2001) })).json().rule.id).toBe('PRM-02');
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers a retry under the same Idempotency-Key with the first answer', async () => {
    const headers = { 'idempotency-key': 'promise-record-0001' };
    const first = await record({}, { headers });
    const again = await record({}, { headers });
    expect(again.json()).toEqual(first.json());
    expect(await streamOf(first.json().streamId)).toHaveLength(1);
  });
});

describe('settling a promise', () => {
  it('fulfils with evidence, and then takes no other outcome', async () => {
    const promise = await recorded();
    expect((await t.post(`/promises/${promise.id}/fulfil`, {})).statusCode).toBe(400);
    const fulfilled = await t.post(`/promises/${promise.id}/fulfil`, { evidence: 'roadmap sent on 2026-03-05, ticket SR-1182' });
    expect(fulfilled.json()).toMatchObject({ revision: 1, events: ['PromiseFulfilled'] });
    const broken = await t.post(`/promises/${promise.id}/break`, { reason: 'changed our mind' });
    expect(broken.json()).toMatchObject({ status: 422, rule: { id: 'PRM-07' } });
    const events = await streamOf(promise.streamId);
    expect(events.map((e) => e.type)).toEqual(['PromiseRecorded', 'PromiseFulfilled']);
    expect(events[1]!.metadata.customerId).toBe(customerId);
  });

  it('marks a promise broken, or withdraws one, only with a reason', async () => {
    const toBreak = await recorded();
    const toWithdraw = await recorded();
    expect((await t.post(`/promises/${toBreak.id}/break`, {})).json().errors[0].field).toBe('reason');
    expect((await t.post(`/promises/${toBreak.id}/break`, { reason: 'supplier missed the date' })).json().events).toEqual(['PromiseBroken']);
    expect((await t.post(`/promises/${toWithdraw.id}/withdraw`, { reason: '  ' })).statusCode).toBe(400);
    expect((await t.post(`/promises/${toWithdraw.id}/withdraw`, { reason: 'customer dropped the requirement' })).json().events).toEqual(['PromiseWithdrawn']);
  });

  it('answers 404 for an unknown promise', async () => {
    const response = await t.post('/promises/0193a000-0000-7000-8000-000000000004/withdraw', { reason: 'x' });
    expect(response.json()).toMatchObject({ status: 404, resource: 'Promise' });
  });
});
