import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSealed } from '../../application/personalData.js';
import { hireRep } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const contact = { name: 'Li Wei', phone: '+86 138 1234 5678', email: 'li.wei@acme.example', title: 'CISO' };
const missing = '0193a000-0000-7000-8000-000000000000';

type Answer = { id: string; streamId: string; revision: number; position: number; events: string[] };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const ok = async (url: string, body: unknown, role = 'sales_rep', status = 200) => {
  const response = await t.post(url, body, { role });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response.json() as Answer;
};
const registerCustomer = () => ok('/customers', { name: 'Acme Bank', industry: 'finance', region: 'east' }, 'sales_rep', 201);
const streamLength = async (streamId: string) => (await t.system.eventStore.readStream(streamId)).length;
const view360 = async (customerId: string, after: number, role = 'sales_rep') => {
  const response = await t.get(`/views/customers/${customerId}?after=${after}`, { role });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

describe('contacts: personal data', () => {
  it('seals contacts in the log, reveals them to a rep, withholds them from an analyst, and shows [erased] after erasure with the chain intact', async () => {
    const customer = await registerCustomer();
    const added = await ok(`/customers/${customer.id}/contacts`, contact, 'sales_rep', 201);
    expect(added).toMatchObject({ revision: 1, events: ['ContactAdded'] });

    const [, raw] = await t.system.eventStore.readStream(customer.streamId);
    const data = raw!.data as Record<string, string>;
    expect([data.name, data.phone, data.email].every(isSealed)).toBe(true);
    expect(JSON.stringify(raw)).not.toMatch(/Li Wei|li\.wei|1234 5678/);
    expect(data.title).toBe('CISO');

    const asRep = await view360(customer.id, added.position);
    expect(asRep.contacts).toEqual([{ id: expect.any(String), ...contact, addedAt: expect.any(String) }]);
    const asAnalyst = await view360(customer.id, added.position, 'analyst');
    expect(asAnalyst.contacts).toMatchObject([{ name: '[withheld]', phone: '[withheld]', email: '[withheld]', title: 'CISO' }]);

    expect((await t.post(`/customers/${customer.id}/erase`, { reason: 'data subject request' })).statusCode).toBe(403);
    const erased = await ok(`/customers/${customer.id}/erase`, { reason: 'data subject request' }, 'compliance_officer');
    const afterErasure = await view360(customer.id, erased.position);
    expect(afterErasure.contacts).toMatchObject([{ name: '[erased]', phone: '[erased]', email: '[erased]', title: 'CISO' }]);
    expect(afterErasure.personalDataErased).toBe(true);
    const verify = await t.get(`/streams/${customer.streamId}/verify`, { role: 'auditor' });
    expect(verify.json()).toMatchObject({ intact: true, events: 3 });

    const more = await t.post(`/customers/${customer.id}/contacts`, contact);
    expect(more.statusCode).toBe(422);
    expect(more.json().rule.id).toBe('CUS-10');
  });

  it('answers 400 field by field for a bad e-mail or phone, 404 for an unknown customer; appends nothing', async () => {
    const customer = await registerCustomer();
    const bad = await t.post(`/customers/${customer.id}/contacts`, { name: 'X', email: 'nope', phone: 'call me', nickname: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['email', 'phone']));
    expect(JSON.stringify(bad.json().errors)).toMatch(/nickname/);
    expect((await t.post(`/customers/${missing}/contacts`, contact)).statusCode).toBe(404);
    expect(await streamLength(customer.streamId)).toBe(1);
  });
});

describe('account terms', () => {
  it('lets finance alone set the credit limit: 422 naming the rule for a rep, 400 for a negative or float limit', async () => {
    const customer = await registerCustomer();
    const byRep = await t.post(`/customers/${customer.id}/credit-limit`, { limit: cny(500_000) });
    expect(byRep.statusCode).toBe(422);
    expect(byRep.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'CUS-06' } });
    const negative = await t.post(`/customers/${customer.id}/credit-limit`, { limit: cny(-1) }, { role: 'finance' });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().errors[0].field).toBe('limit.minor');
    const float = await t.post(`/customers/${customer.id}/credit-limit`, { limit: { minor: 1.5, currency: 'CNY' } }, { role: 'finance' });
    expect(float.json().errors[0].field).toBe('limit.minor');
    expect((await t.post(`/customers/${customer.id}/credit-limit`, { limit: cny(1) }, { role: 'analyst' })).statusCode).toBe(403);
    expect(await streamLength(customer.streamId)).toBe(1);

    const set = await ok(`/customers/${customer.id}/credit-limit`, { limit: cny(500_000) }, 'finance');
    expect(set).toMatchObject({ revision: 1, events: ['CreditLimitSet'] });
    expect((await view360(customer.id, set.position)).creditLimit).toEqual(cny(500_000));
    expect((await t.post(`/customers/${missing}/credit-limit`, { limit: cny(1) }, { role: 'finance' })).statusCode).toBe(404);
  });

  it('raises the risk flag with a reason; only finance clears it', async () => {
    const customer = await registerCustomer();
    const noReason = await t.post(`/customers/${customer.id}/risk`, { flagged: true });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    const raised = await ok(`/customers/${customer.id}/risk`, { flagged: true, reason: 'payments 90 days late' });
    expect(raised.events).toEqual(['RiskFlagRaised']);
    const twice = await t.post(`/customers/${customer.id}/risk`, { flagged: true, reason: 'still late' });
    expect(twice.json().rule.id).toBe('CUS-08');
    const clearedByRep = await t.post(`/customers/${customer.id}/risk`, { flagged: false, reason: 'paid' });
    expect(clearedByRep.statusCode).toBe(422);
    expect(clearedByRep.json().rule.id).toBe('CUS-06');
    expect(await streamLength(customer.streamId)).toBe(2);
    expect((await view360(customer.id, raised.position)).riskFlag).toEqual({ flagged: true, reason: 'payments 90 days late' });
    const cleared = await ok(`/customers/${customer.id}/risk`, { flagged: false, reason: 'paid in full' }, 'finance');
    expect((await view360(customer.id, cleared.position)).riskFlag).toEqual({ flagged: false, reason: 'paid in full' });
  });

  it('updates the profile with the fields given; a change that changes nothing is refused', async () => {
    const customer = await registerCustomer();
    const updated = await ok(`/customers/${customer.id}/profile`, { tier: 'key', region: 'north' });
    expect(updated.events).toEqual(['CustomerProfileUpdated']);
    expect(await view360(customer.id, updated.position)).toMatchObject({ name: 'Acme Bank', tier: 'key', region: 'north' });
    const same = await t.post(`/customers/${customer.id}/profile`, { tier: 'key' });
    expect(same.statusCode).toBe(422);
    expect(same.json().rule.id).toBe('CUS-04');
    expect((await t.post(`/customers/${customer.id}/profile`, { tier: 'gold' })).json().errors[0].field).toBe('tier');
    expect(await streamLength(customer.streamId)).toBe(2);
  });
});

describe('customer 360', () => {
  it('shows the latest interactions with their needs and the open opportunities only', async () => {
    const customer = await registerCustomer();
    for (let i = 1; i <= 22; i++) await ok(`/customers/${customer.id}/interactions`, { kind: 'call', note: `call ${i}`, needs: [`need ${i}`] }, 'sales_rep', 201);
    const open = await ok('/opportunities', { customerId: customer.id, title: 'SOC service', ownerId: 'dev-sales-rep', amount: cny(300_000) }, 'sales_rep', 201);
    const lost = await ok('/opportunities', { customerId: customer.id, title: 'Old renewal', ownerId: 'dev-sales-rep', amount: cny(50_000) }, 'sales_rep', 201);
    await ok(`/opportunities/${open.id}/stage`, { stage: 'proposal' });
    await ok(`/opportunities/${lost.id}/lose`, { reason: 'went elsewhere' });
    await hireRep(t, 'rep-7');
    const reassigned = await ok(`/opportunities/${open.id}/reassign`, { ownerId: 'rep-7', reason: 'territory change' }, 'sales_manager');

    const view = await view360(customer.id, reassigned.position, 'analyst');
    expect(view.interactions).toHaveLength(20);
    expect(view.interactions[0]).toMatchObject({ kind: 'call', note: 'call 22', needs: ['need 22'] });
    expect(view.interactions[19].note).toBe('call 3');
    expect(view.opportunities).toEqual([{ id: open.id, title: 'SOC service', stage: 'proposal', amount: cny(300_000), ownerId: 'rep-7' }]);
    expect(view).toMatchObject({ quotes: [], promises: [], orders: [], findings: [] });
  });

  it('lists the findings about the customer, following each step of the finding', async () => {
    const customer = await registerCustomer();
    const promised = await t.post('/promises', { customerId: customer.id, kind: 'other', statement: 'Zero risk, guaranteed security.', dueDate: '2099-12-31' });
    expect(promised.statusCode, promised.body).toBe(201);
    const [findingId] = promised.json().findings as string[];
    const acknowledged = await ok(`/compliance/findings/${findingId}/acknowledge`, { reason: 'I said it' });

    const [raised] = await t.system.eventStore.readStream(`finding-${findingId}`);
    const { ruleId, ruleName, severity, raisedAt } = raised!.data as Record<string, string>;
    const view = await view360(customer.id, acknowledged.position);
    expect(view.findings).toEqual([{ id: findingId, ruleId, ruleName, severity, status: 'acknowledged', raisedAt }]);
    expect(ruleId).toBe('CMP-01');
  });

  it('answers 404 for a customer it does not know and 400 for an id that is not one', async () => {
    const response = await t.get(`/views/customers/${missing}`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ type: '/problems/not-found', resource: 'Customer' });
    expect((await t.get('/views/customers/not-an-id')).statusCode).toBe(400);
  });
});

describe('opportunities: needs, owner, source', () => {
  it('records needs and the proposed solution, reassigns by a manager only, links a campaign or partner', async () => {
    const customer = await registerCustomer();
    const opportunity = await ok('/opportunities', { customerId: customer.id, title: 'SASE', ownerId: 'dev-sales-rep', amount: cny(90_000) }, 'sales_rep', 201);
    expect(await ok(`/opportunities/${opportunity.id}/needs`, { needs: ['remote access'], proposedSolution: 'SASE with ZTNA' })).toMatchObject({
      events: ['OpportunityNeedsRecorded'],
    });
    const noNeeds = await t.post(`/opportunities/${opportunity.id}/needs`, { needs: [] });
    expect(noNeeds.json().rule.id).toBe('OPP-06');
    const byRep = await t.post(`/opportunities/${opportunity.id}/reassign`, { ownerId: 'rep-9' });
    expect(byRep.statusCode).toBe(422);
    expect(byRep.json().rule.id).toBe('OPP-07');
    await hireRep(t, 'rep-9');
    expect((await ok(`/opportunities/${opportunity.id}/reassign`, { ownerId: 'rep-9' }, 'sales_manager')).events).toEqual(['OpportunityReassigned']);
    // The deal is rep-9's now: its previous owner works it no more, rep-9's manager does.
    expect((await t.post(`/opportunities/${opportunity.id}/source`, { partnerId: 'partner-42' })).json().rule.id).toBe('OPP-12');
    const nothing = await t.post(`/opportunities/${opportunity.id}/source`, {}, { role: 'sales_manager' });
    expect(nothing.json().rule.id).toBe('OPP-09');
    expect((await ok(`/opportunities/${opportunity.id}/source`, { partnerId: 'partner-42' }, 'sales_manager')).events).toEqual(['OpportunitySourceLinked']);
    expect(await streamLength(opportunity.streamId)).toBe(4);
    expect((await t.post(`/opportunities/${missing}/needs`, { needs: ['x'] })).statusCode).toBe(404);
  });

  it("records the customer's feedback in their words, refusing an empty one and a sentiment it does not know", async () => {
    const customer = await registerCustomer();
    const opportunity = await ok('/opportunities', { customerId: customer.id, title: 'EDR', ownerId: 'dev-sales-rep', amount: cny(50_000) }, 'sales_rep', 201);
    const recorded = await ok(`/opportunities/${opportunity.id}/feedback`, { feedback: '希望先试用一个月', sentiment: 'positive' });
    expect(recorded).toMatchObject({ id: opportunity.id, revision: 1, events: ['OpportunityFeedbackRecorded'] });
    const [, event] = await t.system.eventStore.readStream(opportunity.streamId);
    expect(event!.data).toEqual({ opportunityId: opportunity.id, feedback: '希望先试用一个月', sentiment: 'positive' });
    expect(event!.metadata.customerId).toBe(customer.id);
    const blank = await t.post(`/opportunities/${opportunity.id}/feedback`, { feedback: '   ', sentiment: 'neutral' });
    expect(blank.statusCode).toBe(400);
    const unknown = await t.post(`/opportunities/${opportunity.id}/feedback`, { feedback: 'fine', sentiment: 'ecstatic' });
    expect(unknown.json()).toMatchObject({ status: 400, errors: [{ in: 'body', field: 'sentiment' }] });
    expect((await t.post(`/opportunities/${missing}/feedback`, { feedback: 'x', sentiment: 'neutral' })).statusCode).toBe(404);
    const history = (await t.get(`/audit/customers/${customer.id}/history?after=${recorded.position}`, { role: 'auditor' })).json();
    expect(history.events.map((e: { type: string }) => e.type)).toContain('OpportunityFeedbackRecorded');
  });
});
