import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_KEYS } from '../../infrastructure/config.js';
import { certifySeller } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/**
 * Article 36 tried as a careless or malicious colleague would: a second rep in the same team and a
 * manager of another team, each with a key of their own, on dev-sales-rep's records.
 */
const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });
const COLLEAGUE = 'colleague-sales-rep-key-0001';
const OTHER_MANAGER = 'other-sales-manager-key-0001';
const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

let t: TestApp;
let customerId: string;

const ok = async (url: string, body: unknown, options: { role?: string; headers?: Record<string, string> } = {}) => {
  const response = await t.post(url, body, options);
  expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(300);
  return response.json() as { id: string; streamId: string; position: number };
};
const refusedBy = async (response: Promise<{ statusCode: number; json: () => { rule?: { id: string } } }>, ruleId: string) => {
  const answer = await response;
  expect(answer.statusCode).toBe(422);
  expect(answer.json().rule?.id).toBe(ruleId);
};

beforeAll(async () => {
  const keys = { ...DEVELOPMENT_KEYS, [COLLEAGUE]: { actorId: 'rep-colleague', role: 'sales_rep' }, [OTHER_MANAGER]: { actorId: 'mgr-west', role: 'sales_manager' } };
  t = await startTestApp({ clock, env: { API_KEYS: JSON.stringify(keys) } });
  await ok('/reps', { actorId: 'mgr-west', name: 'West manager', team: 'west', role: 'sales_manager' }, { role: 'admin' });
  await ok('/reps', { actorId: 'rep-colleague', name: 'Colleague', team: 'east', role: 'sales_rep', managerId: 'dev-sales-manager' }, { role: 'sales_manager' });
  const product = { sku: 'FW-1', name: 'FW', capabilities: [], maxSla: { availabilityPct: 99.9, responseHours: 4 }, leadTimeDays: 1, listPrice: cny(100_000), floorPrice: cny(50_000), unitCost: cny(10_000) };
  await ok('/products', product, { role: 'sales_manager' });
  await certifySeller(t, ['FW-1']);
  customerId = (await ok('/customers', { name: 'Acme', industry: 'finance', region: 'east' })).id;
});
afterAll(() => t.close());

const openDeal = () => ok('/opportunities', { customerId, title: 'Refresh', ownerId: 'dev-sales-rep', amount: cny(100_000) });

describe("a colleague and another team's manager on a rep's records", () => {
  it('cannot open a deal in the rep’s name, nor in the name of someone on no roster (OPP-12, OPP-11)', async () => {
    await refusedBy(t.post('/opportunities', { customerId, title: 'x', ownerId: 'dev-sales-rep', amount: cny(1) }, as(COLLEAGUE)), 'OPP-12');
    await refusedBy(t.post('/opportunities', { customerId, title: 'x', ownerId: 'dev-sales-rep', amount: cny(1) }, as(OTHER_MANAGER)), 'OPP-12');
    await refusedBy(t.post('/opportunities', { customerId, title: 'x', ownerId: 'nobody', amount: cny(1) }, { role: 'admin' }), 'OPP-11');
    await refusedBy(t.post('/opportunities', { customerId, title: 'x', ownerId: 'nobody', amount: cny(1) }), 'OPP-12');
  });

  it("cannot move, lose, reassign or answer for the rep's deal; the rep's own manager can (OPP-12)", async () => {
    const deal = await openDeal();
    for (const key of [COLLEAGUE, OTHER_MANAGER]) {
      await refusedBy(t.post(`/opportunities/${deal.id}/stage`, { stage: 'proposal' }, as(key)), 'OPP-12');
      await refusedBy(t.post(`/opportunities/${deal.id}/lose`, { reason: 'sabotage' }, as(key)), 'OPP-12');
      await refusedBy(t.post(`/opportunities/${deal.id}/feedback`, { feedback: 'x', sentiment: 'negative' }, as(key)), 'OPP-12');
    }
    await refusedBy(t.post(`/opportunities/${deal.id}/reassign`, { ownerId: 'mgr-west' }, as(OTHER_MANAGER)), 'OPP-12');
    await ok(`/opportunities/${deal.id}/stage`, { stage: 'proposal' }, { role: 'sales_manager' });
  });

  it("cannot draft, submit, send or answer a quote on the rep's deal (QUO-26)", async () => {
    const deal = await openDeal();
    const lines = [{ sku: 'FW-1', qty: 1, unitPrice: cny(100_000), discountPct: 0 }];
    await refusedBy(t.post('/quotes', { opportunityId: deal.id, lines, validUntil: '2026-03-31T00:00:00Z' }, as(COLLEAGUE)), 'QUO-26');
    const quote = await ok('/quotes', { opportunityId: deal.id, lines, validUntil: '2026-03-31T00:00:00Z' });
    await refusedBy(t.post(`/quotes/${quote.id}/submit`, {}, as(COLLEAGUE)), 'QUO-26');
    await ok(`/quotes/${quote.id}/submit`, {});
    await refusedBy(t.post(`/quotes/${quote.id}/send`, {}, as(OTHER_MANAGER)), 'QUO-26');
    await ok(`/quotes/${quote.id}/send`, {});
    await refusedBy(t.post(`/quotes/${quote.id}/accept`, {}, as(COLLEAGUE)), 'QUO-26');
    await refusedBy(t.post(`/quotes/${quote.id}/decline`, { reason: 'x' }, as(COLLEAGUE)), 'QUO-26');
  });

  it("cannot withdraw the rep's promise, nor record one in the rep's name (PRM-13, PRM-12)", async () => {
    const promise = await ok('/promises', { customerId, kind: 'other', statement: 'A named engineer on call', dueDate: '2026-06-30' });
    await refusedBy(t.post(`/promises/${promise.id}/withdraw`, { reason: 'x' }, as(COLLEAGUE)), 'PRM-13');
    await refusedBy(t.post(`/promises/${promise.id}/fulfil`, { evidence: 'x' }, as(OTHER_MANAGER)), 'PRM-13');
    await refusedBy(t.post('/promises', { customerId, kind: 'other', statement: 'x', dueDate: '2026-06-30', madeBy: 'dev-sales-rep' }, as(COLLEAGUE)), 'PRM-12');
    await refusedBy(t.post('/promises/on-behalf', { customerId, kind: 'other', statement: 'x', dueDate: '2026-06-30', madeBy: 'dev-sales-rep' }, as(OTHER_MANAGER)), 'PRM-12');
    const [recorded] = await t.system.eventStore.readStream(promise.streamId);
    expect(recorded!.data).toMatchObject({ madeBy: 'dev-sales-rep' });
  });

  it("cannot qualify, disqualify or convert the rep's lead (LEA-12)", async () => {
    const lead = await ok('/leads', { source: 'inbound', company: 'Lead Co', contact: { name: 'A', email: 'a@lead.example' }, interest: 'EDR' });
    await refusedBy(t.post(`/leads/${lead.id}/disqualify`, { reason: 'mine now' }, as(COLLEAGUE)), 'LEA-12');
    await refusedBy(t.post(`/leads/${lead.id}/qualify`, {}, as(OTHER_MANAGER)), 'LEA-12');
    await ok(`/leads/${lead.id}/qualify`, {});
    await refusedBy(
      t.post(`/leads/${lead.id}/convert`, { customer: { industry: 'x', region: 'east' }, opportunity: { title: 'x', ownerId: 'rep-colleague', amount: cny(1) } }, as(COLLEAGUE)),
      'LEA-12',
    );
  });

  it('cannot approve a quote they drafted, though the rep who owns the deal submitted it (QUO-14)', async () => {
    // The manager drafts a 20% quote on the rep's deal; the rep submits it, beyond a rep's 10%; the manager may not approve it.
    const deal = await openDeal();
    const lines = [{ sku: 'FW-1', qty: 1, unitPrice: cny(100_000), discountPct: 20 }];
    const quote = await ok('/quotes', { opportunityId: deal.id, lines, validUntil: '2026-03-31T00:00:00Z' }, { role: 'sales_manager' });
    await ok(`/quotes/${quote.id}/submit`, {});
    const refused = await t.post(`/quotes/${quote.id}/approve`, {}, { role: 'sales_manager' });
    expect(refused.json()).toMatchObject({ status: 422, rule: { id: 'QUO-14' }, detail: expect.stringContaining('dev-sales-manager drafted this quote') });
    await ok(`/quotes/${quote.id}/approve`, {}, { role: 'finance' });
  });

  it('cannot approve or reject a quote on a deal handed to them after the rep drafted and submitted it (QUO-14)', async () => {
    const deal = await openDeal();
    const lines = [{ sku: 'FW-1', qty: 1, unitPrice: cny(100_000), discountPct: 20 }];
    const quote = await ok('/quotes', { opportunityId: deal.id, lines, validUntil: '2026-03-31T00:00:00Z' });
    await ok(`/quotes/${quote.id}/submit`, {});
    await ok(`/opportunities/${deal.id}/reassign`, { ownerId: 'dev-sales-manager', reason: 'the manager takes the deal over' }, { role: 'sales_manager' });
    for (const decision of ['approve', 'reject']) {
      const refused = await t.post(`/quotes/${quote.id}/${decision}`, { reason: 'mine now' }, { role: 'sales_manager' });
      expect(refused.json()).toMatchObject({ status: 422, rule: { id: 'QUO-14' }, detail: expect.stringContaining('dev-sales-manager owns the deal') });
    }
    // The rep it was taken from no longer works the quote; the new owner does.
    await ok(`/quotes/${quote.id}/approve`, {}, { role: 'finance' });
    await refusedBy(t.post(`/quotes/${quote.id}/send`, {}), 'QUO-26');
    await ok(`/quotes/${quote.id}/send`, {}, { role: 'sales_manager' });
  });
});

describe("a seller's views", () => {
  it("show a rep their own deals and quotes, a manager their team's, and refuse to name anyone else's", async () => {
    const mine = await openDeal();
    const colleagues = await ok('/opportunities', { customerId, title: 'Colleague deal', ownerId: 'rep-colleague', amount: cny(1_000) }, as(COLLEAGUE));
    const west = await ok('/reps', { actorId: 'rep-west', name: 'West rep', team: 'west', role: 'sales_rep', managerId: 'mgr-west' }, as(OTHER_MANAGER));
    const theirs = await ok('/opportunities', { customerId, title: 'West deal', ownerId: 'rep-west', amount: cny(2_000) }, as(OTHER_MANAGER));
    const after = `after=${Math.max(mine.position, colleagues.position, west.position, theirs.position)}`;
    const owners = async (options: object) => ((await t.get(`/views/pipeline?customerId=${customerId}&limit=200&${after}`, options)).json().items as { ownerId: string }[]).map((i) => i.ownerId);

    expect(new Set(await owners({}))).toEqual(new Set(['dev-sales-rep']));
    expect(new Set(await owners(as(COLLEAGUE)))).toEqual(new Set(['rep-colleague']));
    expect(new Set(await owners({ role: 'sales_manager' }))).toEqual(new Set(['dev-sales-rep', 'rep-colleague', 'dev-sales-manager'])); // The manager's own: a deal handed to her above.
    expect(new Set(await owners(as(OTHER_MANAGER)))).toEqual(new Set(['rep-west']));
    expect(new Set(await owners({ role: 'analyst' }))).toEqual(new Set(['dev-sales-rep', 'rep-colleague', 'rep-west', 'dev-sales-manager']));

    const peek = await t.get(`/views/pipeline?ownerId=rep-colleague&${after}`);
    expect(peek.statusCode).toBe(403);
    expect((await t.get(`/views/pipeline/forecast?ownerId=rep-west&${after}`, { role: 'sales_manager' })).statusCode).toBe(403);
    expect((await t.get(`/views/quotes?ownerId=rep-west&${after}`)).statusCode).toBe(403);
    const summary = (await t.get(`/views/pipeline/summary?${after}`, as(OTHER_MANAGER))).json();
    expect(summary.stages.find((s: { stage: string }) => s.stage === 'qualification')).toMatchObject({ count: 1, totals: [cny(2_000)] });
  });
});
