import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });
const DAY = 86_400_000;
const daysLater = (days: number) => new Date(Date.parse(clock.at) + days * DAY).toISOString();

let t: TestApp;
let customerId: string;
let otherCustomerId: string;
let partnerId: string;

/** Insists on the status, so a failing step names itself. */
const ok = async (response: Promise<LightMyRequestResponse>, status = 200) => {
  const answered = await response;
  expect(answered.statusCode, answered.body).toBe(status);
  return answered.json() as { id: string; position: number; events: string[] };
};

/** A refusal appends nothing: the log's head does not move. */
const refused = async (response: () => Promise<LightMyRequestResponse>, status: number) => {
  const head = await t.system.eventStore.headPosition();
  const answered = await response();
  expect(answered.statusCode, answered.body).toBe(status);
  expect(answered.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await t.system.eventStore.headPosition()).toBe(head);
  return answered.json();
};

const register = (body: Record<string, unknown>, role = 'sales_rep') =>
  t.post('/registrations', { partnerId, skus: ['FW-100'], expectedAmount: cny(500_000), expiresAt: daysLater(30), ...body }, { role });

beforeAll(async () => {
  t = await startTestApp({ clock });
  await ok(
    t.post(
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
    ),
    201,
  );
  customerId = (await ok(t.post('/customers', { name: '华东银行', industry: 'finance', region: 'east' }), 201)).id;
  otherCustomerId = (await ok(t.post('/customers', { name: '西部能源', industry: 'energy', region: 'west' }), 201)).id;
  partnerId = (await ok(t.post('/partners', { name: '安全集成商', tier: 'gold' }, { role: 'sales_manager' }), 201)).id;
});
afterAll(() => t.close());

describe('campaigns', () => {
  it('are launched by a sales manager with a channel, a budget and a window, and take costs', async () => {
    const launched = await ok(
      t.post('/campaigns', { name: '零信任网络研讨会', channel: 'webinar', budget: cny(5_000_000), window: { from: '2026-03-10', to: '2026-03-31' } }, { role: 'sales_manager' }),
      201,
    );
    expect(launched.events).toEqual(['CampaignLaunched']);
    const cost = await ok(t.post(`/campaigns/${launched.id}/costs`, { amount: cny(1_200_000), note: 'venue and streaming' }, { role: 'finance' }), 201);
    expect(cost.events).toEqual(['CampaignCostRecorded']);
    const [, recorded] = await t.system.eventStore.readStream(`campaign-${launched.id}`);
    expect(recorded!.data).toMatchObject({ campaignId: launched.id, amount: cny(1_200_000), note: 'venue and streaming', recordedBy: 'dev-finance', recordedAt: clock.at });
  });

  it('refuses a channel it does not know with 400 and the channels there are, appending nothing', async () => {
    const problem = await refused(
      () => t.post('/campaigns', { name: 'Radio', channel: 'radio', budget: cny(1), window: { from: '2026-03-10', to: '2026-03-31' } }, { role: 'sales_manager' }),
      400,
    );
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'body', field: 'channel', message: expect.stringContaining('"webinar"') })]);
    for (const channel of ['event', 'webinar', 'ads', 'email', 'partner', 'content', 'other']) expect(problem.errors[0].message).toContain(`"${channel}"`);
  });

  it('refuses a window that ends before it starts, and a cost in another currency than the budget, naming the rule; 404 for a cost on no campaign', async () => {
    const reversed = await refused(
      () => t.post('/campaigns', { name: 'Backwards', channel: 'ads', budget: cny(1_000), window: { from: '2026-03-31', to: '2026-03-10' } }, { role: 'sales_manager' }),
      422,
    );
    expect(reversed.rule).toEqual({ id: 'CPN-03', name: "A campaign's window ends on or after the day it starts" });
    const { id } = await ok(t.post('/campaigns', { name: 'Ads', channel: 'ads', budget: cny(1_000), window: { from: '2026-03-10', to: '2026-03-31' } }, { role: 'sales_manager' }), 201);
    const dollars = await refused(() => t.post(`/campaigns/${id}/costs`, { amount: { minor: 500, currency: 'USD' }, note: 'banner' }, { role: 'finance' }), 422);
    expect(dollars.rule.id).toBe('CPN-06');
    expect((await refused(() => t.post(`/campaigns/${crypto.randomUUID()}/costs`, { amount: cny(500), note: 'banner' }, { role: 'finance' }), 404)).resource).toBe('Campaign');
  });

  it('are launched by managers only, and costs recorded by managers or finance', async () => {
    const launch = await refused(() => t.post('/campaigns', { name: 'Mine', channel: 'email', budget: cny(1), window: { from: '2026-03-10', to: '2026-03-11' } }), 403);
    expect(launch.allowedRoles).toEqual(['sales_manager', 'admin']);
  });

  it('are named by the leads that answered them: an unknown campaign is 404, a campaign lead naming another is LEA-13', async () => {
    const { id: campaignId } = await ok(
      t.post('/campaigns', { name: 'Trade show', channel: 'event', budget: cny(1_000), window: { from: '2026-03-10', to: '2026-03-12' } }, { role: 'sales_manager' }),
      201,
    );
    const lead = { source: 'inbound', company: 'Acme', contact: { name: 'Li', email: 'li@example.cn' }, interest: 'firewalls' };
    const captured = await ok(t.post('/leads', { ...lead, campaignId }), 201);
    expect((await t.system.eventStore.readStream(`lead-${captured.id}`))[0]!.data).toMatchObject({ source: 'inbound', campaignId });
    const unknown = await refused(() => t.post('/leads', { ...lead, campaignId: crypto.randomUUID() }), 404);
    expect(unknown.resource).toBe('Campaign');
    const mismatch = await refused(() => t.post('/leads', { ...lead, source: 'campaign', sourceRef: crypto.randomUUID(), campaignId }), 422);
    expect(mismatch.rule.id).toBe('LEA-13');
  });
});

describe('partners and deal registrations', () => {
  it('onboards a partner at a tier, refusing a tier it does not know with the tiers there are', async () => {
    const problem = await refused(() => t.post('/partners', { name: 'Nobody', tier: 'diamond' }, { role: 'sales_manager' }), 400);
    expect(problem.errors[0]).toMatchObject({ field: 'tier', message: expect.stringContaining('"registered"') });
    for (const tier of ['silver', 'gold', 'platinum']) expect(problem.errors[0].message).toContain(`"${tier}"`);
  });

  it('answers 404 for a registration naming a partner, customer or product never recorded, appending nothing', async () => {
    expect((await refused(() => register({ partnerId: crypto.randomUUID(), customerId }), 404)).resource).toBe('Partner');
    expect((await refused(() => register({ customerId: crypto.randomUUID() }), 404)).resource).toBe('Customer');
    expect((await refused(() => register({ customerId, skus: ['NOPE-1'] }), 404)).resource).toBe('Product');
  });

  it('refuses a registration naming both a customer and a company (REG-02)', async () => {
    expect((await refused(() => register({ customerId, company: 'Acme' }), 422)).rule.id).toBe('REG-02');
  });

  it('is approved by a sales manager, not by a rep; while it runs, a second claim on the customer and product is a channel conflict (REG-06)', async () => {
    const first = await ok(register({ customerId }), 201);
    const rival = await ok(register({ customerId }), 201); // pending claims do not clash: only approved ones protect
    expect((await refused(() => t.post(`/registrations/${first.id}/approve`, {}), 403)).allowedRoles).toEqual(['sales_manager', 'admin']);
    const approved = await ok(t.post(`/registrations/${first.id}/approve`, { reason: 'first to register' }, { role: 'sales_manager' }));
    expect(approved.events).toEqual(['RegistrationApproved']);

    const conflict = await refused(() => register({ customerId }), 422);
    expect(conflict).toMatchObject({
      type: '/problems/rule-refused',
      rule: { id: 'REG-06', name: 'Channel conflict: one approved registration per customer and product at a time' },
      detail: expect.stringContaining(`Registration ${first.id}`),
    });
    expect((await refused(() => t.post(`/registrations/${rival.id}/approve`, {}, { role: 'sales_manager' }), 422)).rule.id).toBe('REG-06');
    const rejected = await ok(t.post(`/registrations/${rival.id}/reject`, { reason: 'channel conflict' }, { role: 'sales_manager' }));
    expect(rejected.events).toEqual(['RegistrationRejected']);
    expect((await refused(() => t.post(`/registrations/${rival.id}/approve`, {}, { role: 'sales_manager' }), 422)).rule.id).toBe('REG-07');
  });

  it('expires through the deadline watcher once its time has come, and then frees the customer and product', async () => {
    const short = await ok(register({ customerId: otherCustomerId, expiresAt: daysLater(2) }), 201);
    await ok(t.post(`/registrations/${short.id}/approve`, {}, { role: 'sales_manager' }));
    expect((await refused(() => register({ customerId: otherCustomerId }), 422)).rule.id).toBe('REG-06');
    const head = (await t.system.eventStore.headPosition())!;
    expect(await t.system.runner.waitFor(['deadlines'], head, 5_000)).toBe(true);

    clock.at = daysLater(2);
    const expired = (await t.system.deadlines.tick()).filter((o) => o.deadline.streamId === `registration-${short.id}`);
    expect(expired).toMatchObject([{ outcome: 'done', events: ['RegistrationExpired'] }]);
    expect((await ok(register({ customerId: otherCustomerId }), 201)).events).toEqual(['RegistrationSubmitted']);
  });
});

describe("a deal worked under a partner's registration", () => {
  const openDeal = async (customer: string) =>
    (await ok(t.post('/opportunities', { customerId: customer, title: 'Branch firewalls', ownerId: 'dev-sales-rep', amount: cny(800_000) }), 201)).id;

  it('links only an approved, unexpired registration of its own customer, once, and 404 for an unknown one', async () => {
    const pending = await ok(register({ company: 'Not yet a customer', skus: ['FW-100'] }), 201);
    const dealId = await openDeal(customerId);
    expect((await refused(() => t.post(`/opportunities/${dealId}/registration`, { registrationId: pending.id }), 422)).rule.id).toBe('OPP-13');
    expect((await refused(() => t.post(`/opportunities/${dealId}/registration`, { registrationId: crypto.randomUUID() }), 404)).resource).toBe('Registration');

    const [approvedClaim] = (await t.system.views.all('registrations', 'registrations', { where: { customerKey: `customer:${customerId}`, status: 'approved' } })) as { id: string }[];
    const otherDeal = await openDeal(otherCustomerId);
    expect((await refused(() => t.post(`/opportunities/${otherDeal}/registration`, { registrationId: approvedClaim!.id }), 422)).rule.id).toBe('OPP-14');

    const linked = await ok(t.post(`/opportunities/${dealId}/registration`, { registrationId: approvedClaim!.id }));
    expect(linked.events).toEqual(['OpportunityRegistrationLinked']);
    expect((await t.system.eventStore.readStream(`opportunity-${dealId}`)).at(-1)!.data).toEqual({ opportunityId: dealId, registrationId: approvedClaim!.id, partnerId });
    expect((await refused(() => t.post(`/opportunities/${dealId}/registration`, { registrationId: approvedClaim!.id }), 422)).rule.id).toBe('OPP-15');
  });
});
