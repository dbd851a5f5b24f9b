import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSealed } from '../../application/personalData.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const contact = { name: '张敏', phone: '+86 139 0000 0000', email: 'zhang.min@bank.example', title: 'IT director' };
const campaignLead = {
  source: 'campaign',
  sourceRef: 'camp-2026-q1',
  company: 'Eastern Bank',
  contact,
  interest: 'zero-trust access for 3,000 staff',
};
const deal = { title: 'Zero-trust rollout', ownerId: 'dev-sales-rep', amount: cny(1_200_000) };

type Answer = { id: string; streamId: string; revision: number; position: number; events: string[] };
type Converted = Answer & { customerId: string; opportunityId: string };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const ok = async <T = Answer>(url: string, body: unknown, status = 200, headers: Record<string, string> = {}) => {
  const response = await t.post(url, body, { headers });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response.json() as T;
};
const qualifiedLead = async (lead: Record<string, unknown> = campaignLead) => {
  const captured = await ok('/leads', lead, 201);
  await ok(`/leads/${captured.id}/qualify`, { note: 'budget approved for Q1' });
  return captured;
};
const types = async (streamId: string) => (await t.system.eventStore.readStream(streamId)).map((e) => e.type);
const head = () => t.system.eventStore.headPosition();

describe('capture and qualify', () => {
  it('captures a lead with its contact sealed under the lead key', async () => {
    const captured = await ok('/leads', campaignLead, 201);
    expect(captured).toMatchObject({ streamId: `lead-${captured.id}`, revision: 0, events: ['LeadCaptured'] });
    const [event] = await t.system.eventStore.readStream(captured.streamId);
    const data = event!.data as { contact: Record<string, string> };
    expect(isSealed(data.contact.name) && isSealed(data.contact.phone) && isSealed(data.contact.email)).toBe(true);
    expect(JSON.stringify(event)).not.toMatch(/张敏|zhang\.min|139 0000/);
    expect(data.contact.title).toBe('IT director');
  });

  it('qualifies and disqualifies; a closed lead takes no more work', async () => {
    const captured = await ok('/leads', campaignLead, 201);
    expect(await ok(`/leads/${captured.id}/qualify`, {})).toMatchObject({ revision: 1, events: ['LeadQualified'] });
    expect(await ok(`/leads/${captured.id}/disqualify`, { reason: 'student project, no budget' })).toMatchObject({ events: ['LeadDisqualified'] });
    const again = await t.post(`/leads/${captured.id}/qualify`, {});
    expect(again.statusCode).toBe(422);
    expect(again.json().rule.id).toBe('LEA-07');
  });

  it('answers 422 naming the rule for a campaign lead without its campaign or a contact who cannot be reached; appends nothing', async () => {
    const before = await head();
    const unnamed = await t.post('/leads', { ...campaignLead, sourceRef: undefined });
    expect(unnamed.statusCode).toBe(422);
    expect(unnamed.json().rule.id).toBe('LEA-02');
    const unreachable = await t.post('/leads', { ...campaignLead, contact: { name: 'Anon', title: 'CTO' } });
    expect(unreachable.json().rule.id).toBe('LEA-03');
    expect(await head()).toBe(before);
  });

  it('answers 400 field by field for an unknown source, a bad e-mail and a missing reason; 404 for an unknown lead', async () => {
    const before = await head();
    const bad = await t.post('/leads', { ...campaignLead, source: 'cold-call', contact: { ...contact, email: 'not-an-address' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['source', 'contact.email']));
    const captured = await ok('/leads', campaignLead, 201);
    const noReason = await t.post(`/leads/${captured.id}/disqualify`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    expect((await t.post('/leads/0193a000-0000-7000-8000-000000000000/qualify', {})).statusCode).toBe(404);
    expect(await head()).toBe(captured.position);
    expect(captured.position).toBeGreaterThan(before ?? 0);
  });
});

describe('convert', () => {
  it('converts into a new customer with the lead contact and an opportunity linked to the lead and its campaign', async () => {
    const lead = await qualifiedLead();
    const converted = await ok<Converted>(`/leads/${lead.id}/convert`, { customer: { industry: 'finance', region: 'east' }, opportunity: deal });
    expect(converted).toMatchObject({
      id: lead.id,
      streamId: lead.streamId,
      revision: 2,
      events: ['LeadConverted'],
      customerId: expect.any(String),
      opportunityId: expect.any(String),
    });

    const [leadConverted] = (await t.system.eventStore.readStream(lead.streamId)).slice(-1);
    expect(leadConverted!.data).toMatchObject({
      leadId: lead.id,
      customerId: converted.customerId,
      customerIsNew: true,
      opportunityId: converted.opportunityId,
      customer: { name: 'Eastern Bank', industry: 'finance', region: 'east' },
      opportunity: deal,
    });
    expect(leadConverted!.metadata.customerId).toBe(converted.customerId);
    expect(leadConverted!.metadata).not.toHaveProperty('conversion');

    const customer = await t.system.eventStore.readStream(`customer-${converted.customerId}`);
    expect(customer.map((e) => e.type)).toEqual(['CustomerRegistered', 'ContactAdded']);
    expect(customer[0]!.data).toMatchObject({ name: 'Eastern Bank', industry: 'finance', region: 'east' });
    const contactData = customer[1]!.data as Record<string, string>;
    expect(isSealed(contactData.name)).toBe(true);
    expect(await t.system.personalData.reveal(converted.customerId, contactData.name!)).toBe('张敏');

    const opportunity = await t.system.eventStore.readStream(`opportunity-${converted.opportunityId}`);
    expect(opportunity.map((e) => e.type)).toEqual(['OpportunityOpened', 'OpportunitySourceLinked']);
    expect(opportunity[0]!.data).toMatchObject({ customerId: converted.customerId, leadId: lead.id, title: deal.title, amount: deal.amount });
    expect(opportunity[1]!.data).toMatchObject({ campaignId: 'camp-2026-q1' });
    for (const followUp of [...customer, ...opportunity]) {
      expect(followUp.metadata).toMatchObject({ causationId: leadConverted!.eventId, correlationId: leadConverted!.metadata.correlationId, customerId: converted.customerId });
    }

    // The answer's position covers the follow-ups, so a view read after it sees them.
    const view = await t.get(`/views/customers/${converted.customerId}?after=${converted.position}`);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({
      name: 'Eastern Bank',
      contacts: [{ name: '张敏', email: 'zhang.min@bank.example' }],
      opportunities: [{ id: converted.opportunityId, title: deal.title, stage: 'qualification' }],
    });
  });

  it('converts into an existing customer: the contact joins it, nothing is registered again', async () => {
    const customer = await ok('/customers', { name: 'Eastern Bank Group', industry: 'finance', region: 'east' }, 201);
    const lead = await qualifiedLead({ ...campaignLead, source: 'inbound', sourceRef: undefined });
    const converted = await ok<Converted>(`/leads/${lead.id}/convert`, { customerId: customer.id, opportunity: deal });
    expect(converted.customerId).toBe(customer.id);
    expect(await types(customer.streamId)).toEqual(['CustomerRegistered', 'ContactAdded']);
    expect(await types(`opportunity-${converted.opportunityId}`)).toEqual(['OpportunityOpened']);
  });

  it('appends nothing anywhere when the convert is retried with the same Idempotency-Key', async () => {
    const lead = await qualifiedLead();
    const headers = { 'idempotency-key': 'convert-lead-0001' };
    const body = { customer: { name: 'Eastern Bank Ltd', industry: 'finance', region: 'east' }, opportunity: deal };
    const first = await t.post(`/leads/${lead.id}/convert`, body, { headers });
    expect(first.statusCode).toBe(200);
    const before = await head();
    const second = await t.post(`/leads/${lead.id}/convert`, body, { headers });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await head()).toBe(before);
    expect(await types(`customer-${first.json().customerId}`)).toEqual(['CustomerRegistered', 'ContactAdded']);
    expect(await types(`opportunity-${first.json().opportunityId}`)).toEqual(['OpportunityOpened', 'OpportunitySourceLinked']);
  });

  it('refuses to convert a disqualified, unqualified or converted lead with 422 naming the rule; appends nothing', async () => {
    const body = { customer: { industry: 'finance', region: 'east' }, opportunity: deal };
    const disqualified = await qualifiedLead();
    await ok(`/leads/${disqualified.id}/disqualify`, { reason: 'duplicate of an existing account' });
    const unqualified = await ok('/leads', campaignLead, 201);
    const converted = await qualifiedLead();
    await ok(`/leads/${converted.id}/convert`, body);
    const before = await head();
    for (const [lead, rule] of [
      [disqualified, 'LEA-07'],
      [unqualified, 'LEA-08'],
      [converted, 'LEA-09'],
    ] as const) {
      const response = await t.post(`/leads/${lead.id}/convert`, body);
      expect(response.statusCode, rule).toBe(422);
      expect(response.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: rule } });
    }
    expect(await head()).toBe(before);
  });

  it('refuses a conversion its follow-ups could not finish: an opportunity worth nothing, a customer whose data was erased', async () => {
    const lead = await qualifiedLead();
    const erased = await ok('/customers', { name: 'Gone Ltd', industry: 'retail', region: 'west' }, 201);
    const erasure = await t.post(`/customers/${erased.id}/erase`, { reason: 'data subject request' }, { role: 'compliance_officer' });
    expect(erasure.statusCode).toBe(200);
    const before = await head();
    const nothing = await t.post(`/leads/${lead.id}/convert`, { customer: { industry: 'finance', region: 'east' }, opportunity: { ...deal, amount: cny(0) } });
    expect(nothing.statusCode).toBe(422);
    expect(nothing.json().rule.id).toBe('OPP-05');
    const intoErased = await t.post(`/leads/${lead.id}/convert`, { customerId: erased.id, opportunity: deal });
    expect(intoErased.statusCode).toBe(422);
    expect(intoErased.json().rule.id).toBe('CUS-10');
    expect(await head()).toBe(before);
  });

  it('answers 404 for an unknown existing customer and leaves the lead to convert later', async () => {
    const lead = await qualifiedLead();
    const before = await head();
    const missing = '0193a000-0000-7000-8000-000000000000';
    const response = await t.post(`/leads/${lead.id}/convert`, { customerId: missing, opportunity: deal });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ type: '/problems/not-found', resource: 'Customer', id: missing });
    expect(await head()).toBe(before);
    await ok(`/leads/${lead.id}/convert`, { customer: { industry: 'finance', region: 'east' }, opportunity: deal });
  });

  it('converts with the body the surface promises, { opportunity } alone: the company from the lead, its industry and region unknown until the profile says them', async () => {
    const lead = await qualifiedLead();
    const converted = await ok(`/leads/${lead.id}/convert`, { opportunity: deal });
    const customerId = (converted as unknown as { customerId: string }).customerId;
    const profile = await t.get(`/views/customers/${customerId}?after=${converted.position}`);
    expect(profile.json()).toMatchObject({ name: campaignLead.company, industry: 'unknown', region: 'unknown' });
    const completed = await ok(`/customers/${customerId}/profile`, { industry: 'finance', region: 'east' });
    expect((await t.get(`/views/customers/${customerId}?after=${completed.position}`)).json()).toMatchObject({ industry: 'finance', region: 'east' });
  });

  it('answers 400 field by field: customer only for a new customer, money is whole minor units; 422 for a customer described by half', async () => {
    const lead = await qualifiedLead();
    const before = await head();
    const fields = async (body: unknown) => {
      const response = await t.post(`/leads/${lead.id}/convert`, body);
      expect(response.statusCode).toBe(400);
      return response.json().errors.map((e: { field: string }) => e.field);
    };
    expect(await fields({ customerId: '0193a000-0000-7000-8000-000000000000', customer: { industry: 'x', region: 'y' }, opportunity: deal })).toEqual(['customer']);
    expect(await fields({ customer: { industry: ' ' }, opportunity: { ...deal, amount: { minor: 12.5, currency: 'CNY' } } })).toEqual(
      expect.arrayContaining(['customer.industry', 'opportunity.amount.minor']),
    );
    expect(await fields({})).toEqual(['opportunity']);
    const half = await t.post(`/leads/${lead.id}/convert`, { customer: { industry: 'finance' }, opportunity: deal });
    expect(half.json()).toMatchObject({ status: 422, rule: { id: 'LEA-10' } });
    expect(await head()).toBe(before);
  });
});
