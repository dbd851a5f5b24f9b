import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../application/ids.js';
import { findingRules, type RaiseFinding } from '../../domain/compliance/finding.js';
import { DEVELOPMENT_KEYS } from '../../infrastructure/config.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-05-04T09:00:00.000Z', now() { return this.at; } };

const SELLER = 'dev-sales-rep';
const MANAGER = 'dev-sales-manager';
// Compliance officers who are the seller, or the seller's manager, under keys of their own.
const OFFICER_WHO_IS_THE_SELLER = 'officer-who-is-the-seller-key-01';
const OFFICER_WHO_MANAGES_THE_SELLER = 'officer-who-manages-seller-key-01';
const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

let t: TestApp;

beforeAll(async () => {
  const keys = {
    ...DEVELOPMENT_KEYS,
    [OFFICER_WHO_IS_THE_SELLER]: { actorId: SELLER, role: 'compliance_officer' },
    [OFFICER_WHO_MANAGES_THE_SELLER]: { actorId: MANAGER, role: 'compliance_officer' },
  };
  t = await startTestApp({ clock, env: { API_KEYS: JSON.stringify(keys) } });
});
afterAll(() => t.close());

/** Raised straight through the finding service, as the compliance checks do: no checking wired. */
const raise = async (overrides: Partial<RaiseFinding> = {}) => {
  const findingId = newId();
  const finding: Omit<RaiseFinding, 'type'> = {
    findingId,
    ruleId: 'CMP-01',
    ruleName: 'No absolute or guaranteeing claims',
    severity: 'critical',
    policyRevision: 1,
    detail: 'Makes absolute or guaranteeing claims: "100% protection"',
    evidence: [{ streamId: `promise-${newId()}`, revision: 0, hash: 'a'.repeat(64) }],
    customerId: newId(),
    sellerId: SELLER,
    sellerManagerId: MANAGER,
    subject: { kind: 'promise', id: newId() },
    ...overrides,
  };
  const result = await t.system.commands.findings.raise(finding, { commandId: newId(), actor: { id: 'compliance-checker', role: 'admin' }, correlationId: newId() });
  return { id: findingId, streamId: result.streamId, position: result.position, customerId: finding.customerId };
};

const streamLength = async (streamId: string) => (await t.system.eventStore.readStream(streamId)).length;
const findingView = async (id: string, after: number) => (await t.get(`/views/compliance/findings/${id}?after=${after}`, { role: 'compliance_officer' })).json();
const acknowledge = (id: string, options: { role?: string; headers?: Record<string, string> } = { role: 'compliance_officer' }) =>
  t.post(`/compliance/findings/${id}/acknowledge`, {}, options);
const remediate = (id: string, evidence = 'Correction sent to the customer', options: { role?: string; headers?: Record<string, string> } = { role: 'compliance_officer' }) =>
  t.post(`/compliance/findings/${id}/remediate`, { evidence }, options);
const waive = (id: string, options: { role?: string; headers?: Record<string, string> }) =>
  t.post(`/compliance/findings/${id}/waive`, { reason: 'Quoted from the vendor datasheet, withdrawn since' }, options);

describe('the lifecycle', () => {
  it('takes a finding from raised through acknowledged and remediated to closed, each step in the view with who and when', async () => {
    clock.at = '2026-05-04T09:00:00.000Z';
    const finding = await raise();
    clock.at = '2026-05-04T09:10:00.000Z';
    const acknowledged = await t.post(`/compliance/findings/${finding.id}/acknowledge`, { reason: 'I said it' });
    expect(acknowledged.statusCode).toBe(200);
    expect(acknowledged.json()).toEqual({ id: finding.id, streamId: finding.streamId, revision: 1, position: expect.any(Number), events: ['FindingAcknowledged'] });
    expect(acknowledged.headers.etag).toBe('"1"');

    clock.at = '2026-05-04T11:30:00.000Z';
    const remediated = await remediate(finding.id, 'Correction sent to the customer, interaction i-9', {});
    expect(remediated.json()).toMatchObject({ revision: 2, events: ['FindingRemediated'] });

    clock.at = '2026-05-05T08:00:00.000Z';
    const closed = await t.post(`/compliance/findings/${finding.id}/close`, {}, { role: 'compliance_officer' });
    expect(closed.json()).toMatchObject({ revision: 3, events: ['FindingClosed'] });

    const events = await t.system.eventStore.readStream(finding.streamId);
    expect(events.map((e) => [e.type, e.metadata.customerId])).toEqual([
      ['FindingRaised', finding.customerId],
      ['FindingAcknowledged', finding.customerId],
      ['FindingRemediated', finding.customerId],
      ['FindingClosed', finding.customerId],
    ]);
    expect(await findingView(finding.id, closed.json().position)).toMatchObject({
      status: 'closed',
      outcome: 'remediated',
      ruleId: 'CMP-01',
      severity: 'critical',
      policyRevision: 1,
      sellerId: SELLER,
      sellerManagerId: MANAGER,
      customerId: finding.customerId,
      raisedAt: '2026-05-04T09:00:00.000Z',
      acknowledgedAt: '2026-05-04T09:10:00.000Z',
      acknowledgedBy: SELLER,
      remediatedAt: '2026-05-04T11:30:00.000Z',
      remediatedBy: SELLER,
      remediation: 'Correction sent to the customer, interaction i-9',
      closedAt: '2026-05-05T08:00:00.000Z',
      closedBy: 'dev-compliance-officer',
      minutesToRemediate: 150,
      waivedAt: null,
    });
  });

  it(`refuses to close a finding neither remediated nor waived (${findingRules.closeOnlySettled.id}), appending nothing`, async () => {
    const finding = await raise();
    await acknowledge(finding.id);
    const closed = await t.post(`/compliance/findings/${finding.id}/close`, { reason: 'done' }, { role: 'admin' });
    expect(closed.statusCode).toBe(422);
    expect(closed.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: findingRules.closeOnlySettled.id } });
    expect(await streamLength(finding.streamId)).toBe(2);
  });

  it(`lets a rep answer only a finding on their own conduct (${findingRules.answeredByThoseConcerned.id})`, async () => {
    const finding = await raise({ sellerId: 'rep-elsewhere', sellerManagerId: 'mgr-elsewhere' });
    const response = await acknowledge(finding.id, {});
    expect(response.statusCode).toBe(422);
    expect(response.json().rule.id).toBe(findingRules.answeredByThoseConcerned.id);
    expect((await acknowledge(finding.id, { role: 'sales_manager' })).json().rule.id).toBe(findingRules.answeredByThoseConcerned.id);
    expect(await streamLength(finding.streamId)).toBe(1);
  });

  it('answers 404 for an unknown finding, 400 for a remediation without evidence, 403 for a role with no part in findings', async () => {
    const missing = newId();
    const unknown = await acknowledge(missing);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ type: '/problems/not-found', resource: 'Finding', id: missing });
    expect((await t.get(`/views/compliance/findings/${missing}`, { role: 'auditor' })).statusCode).toBe(404);

    const finding = await raise();
    await acknowledge(finding.id);
    const noEvidence = await t.post(`/compliance/findings/${finding.id}/remediate`, {}, { role: 'compliance_officer' });
    expect(noEvidence.statusCode).toBe(400);
    expect(noEvidence.json().errors[0].field).toBe('evidence');
    expect((await acknowledge(finding.id, { role: 'finance' })).statusCode).toBe(403);
    expect((await t.post(`/compliance/findings/${finding.id}/close`, {}, { role: 'sales_manager' })).statusCode).toBe(403);
    expect(await streamLength(finding.streamId)).toBe(2);
  });
});

describe('waiving (segregation of duties)', () => {
  it(`refuses a waiver by the seller, by the seller's manager and by a role outside compliance, naming ${findingRules.segregationOfDuties.id}, appending nothing`, async () => {
    const finding = await raise();
    await acknowledge(finding.id);
    const rule = { id: findingRules.segregationOfDuties.id, name: findingRules.segregationOfDuties.name };

    const bySeller = await waive(finding.id, as(OFFICER_WHO_IS_THE_SELLER));
    expect(bySeller.statusCode).toBe(422);
    expect(bySeller.json()).toMatchObject({ type: '/problems/rule-refused', rule, detail: `${SELLER} is the seller the finding is about` });

    const byManager = await waive(finding.id, as(OFFICER_WHO_MANAGES_THE_SELLER));
    expect(byManager.statusCode).toBe(422);
    expect(byManager.json()).toMatchObject({ rule, detail: `${MANAGER} manages the seller the finding is about` });

    for (const role of ['sales_manager', 'sales_rep', 'admin']) {
      const byRole = await waive(finding.id, { role });
      expect(byRole.statusCode).toBe(403);
      expect(byRole.json()).toMatchObject({ type: '/problems/forbidden', role, allowedRoles: ['compliance_officer'], rule });
    }
    expect(await streamLength(finding.streamId)).toBe(2);
  });

  it('accepts a waiver by a compliance officer with no stake, which then closes as waived', async () => {
    const finding = await raise();
    await acknowledge(finding.id, {});
    const waived = await waive(finding.id, { role: 'compliance_officer' });
    expect(waived.statusCode).toBe(200);
    expect(waived.json()).toMatchObject({ revision: 2, events: ['FindingWaived'] });
    expect(await findingView(finding.id, waived.json().position)).toMatchObject({
      status: 'waived',
      outcome: 'waived',
      waivedBy: 'dev-compliance-officer',
      waiverReason: 'Quoted from the vendor datasheet, withdrawn since',
      minutesToRemediate: null,
    });
    expect((await remediate(finding.id)).json().rule.id).toBe(findingRules.settleOnlyAcknowledged.id);
    const closed = await t.post(`/compliance/findings/${finding.id}/close`, {}, { role: 'admin' });
    expect(await findingView(finding.id, closed.json().position)).toMatchObject({ status: 'closed', outcome: 'waived', closedBy: 'dev-admin' });
  });
});

describe('GET /views/compliance/findings', () => {
  const ids = (response: { json: () => { items: { id: string }[] } }) => response.json().items.map((f) => f.id);
  let a: Awaited<ReturnType<typeof raise>>;
  let b: Awaited<ReturnType<typeof raise>>;
  let c: Awaited<ReturnType<typeof raise>>;
  let last: number;
  const list = (query: string, role = 'compliance_officer') => t.get(`/views/compliance/findings?${query}&after=${last}`, { role });

  beforeAll(async () => {
    const customer = newId();
    clock.at = '2026-06-01T08:00:00.000Z';
    a = await raise({ customerId: customer, sellerId: 'rep-filter-1', ruleId: 'CMP-03', ruleName: 'No SLA beyond what the product offers', severity: 'high' });
    clock.at = '2026-06-10T08:00:00.000Z';
    b = await raise({ customerId: customer, sellerId: 'rep-filter-2', ruleId: 'CMP-06', ruleName: 'No delivery date the lead time cannot meet', severity: 'medium' });
    clock.at = '2026-06-20T08:00:00.000Z';
    c = await raise({ sellerId: 'rep-filter-1', ruleId: 'CMP-06', ruleName: 'No delivery date the lead time cannot meet', severity: 'low' });
    last = (await acknowledge(c.id)).json().position;
  });

  it('filters by customer, rep, rule, severity and status, newest first', async () => {
    expect(ids(await list(`customerId=${a.customerId}`))).toEqual([b.id, a.id]);
    expect(ids(await list('sellerId=rep-filter-1'))).toEqual([c.id, a.id]);
    expect(ids(await list('ruleId=CMP-06&sort=raised'))).toEqual([b.id, c.id]);
    expect(ids(await list('ruleId=CMP-06&severity=low'))).toEqual([c.id]);
    expect(ids(await list('sellerId=rep-filter-1&status=acknowledged'))).toEqual([c.id]);
    expect(ids(await list('sellerId=rep-filter-1&status=raised'))).toEqual([a.id]);
  });

  it('bounds the period on raisedAt, from inclusive and to exclusive, by date or instant, a page at a time', async () => {
    expect(ids(await list('from=2026-06-01&to=2026-06-20T08:00:00Z'))).toEqual([b.id, a.id]);
    expect(ids(await list('from=2026-06-10T16:00:00%2B08:00&to=2026-07-01'))).toEqual([c.id, b.id]);
    const first = await list('from=2026-06-01&to=2026-07-01&sort=raised&limit=2');
    expect(ids(first)).toEqual([a.id, b.id]);
    const second = await list(`from=2026-06-01&to=2026-07-01&sort=raised&limit=2&cursor=${first.json().nextCursor}`);
    expect(ids(second)).toEqual([c.id]);
    expect(second.json().nextCursor).toBeNull();
  });

  it('answers 400 for a period that ends before it starts or a status it does not know, and 403 to a rep', async () => {
    const backwards = await list('from=2026-06-10&to=2026-06-01');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0]).toMatchObject({ field: 'to', message: 'must be after from' });
    expect((await list('status=open')).statusCode).toBe(400);
    expect((await list('sellerId=rep-filter-1', 'sales_rep')).statusCode).toBe(403);
    for (const role of ['sales_manager', 'auditor', 'analyst', 'admin']) expect((await list('sellerId=rep-filter-1', role)).statusCode).toBe(200);
  });
});

describe('GET /views/compliance/report', () => {
  const report = (query: string, role = 'auditor') => t.get(`/views/compliance/report?${query}`, { role });

  it('counts the period per rule, rep, severity and status, with the median minutes from raised to remediated', async () => {
    const at = (time: string) => {
      clock.at = `2026-07-01T${time}:00.000Z`;
    };
    const cmp01 = { ruleId: 'CMP-01', ruleName: 'No absolute or guaranteeing claims' };
    at('09:00');
    const f1 = await raise({ ...cmp01, sellerId: 'rep-a', severity: 'critical' });
    const f2 = await raise({ ...cmp01, sellerId: 'rep-b', severity: 'high' });
    at('10:00');
    const f3 = await raise({ ruleId: 'CMP-04', ruleName: 'No price below the floor without approval', sellerId: 'rep-a', severity: 'high' });
    const f4 = await raise({ ruleId: 'CMP-09', ruleName: 'Promises are kept by their due date', sellerId: 'rep-a', severity: 'low' });
    at('10:05');
    await raise({ ...cmp01, sellerId: 'rep-c', severity: 'medium' });
    // Just outside 1 July in Beijing, though inside it in UTC, and the other way round.
    clock.at = '2026-06-30T15:59:59.999Z';
    await raise({ ...cmp01, sellerId: 'rep-a' });
    clock.at = '2026-07-01T16:00:00.000Z';
    await raise({ ...cmp01, sellerId: 'rep-a' });

    for (const f of [f1, f2, f3, f4]) await acknowledge(f.id);
    at('09:30');
    await remediate(f1.id);
    at('10:30');
    await remediate(f2.id);
    at('14:00');
    await remediate(f3.id);
    await waive(f4.id, { role: 'compliance_officer' });
    const last = (await t.post(`/compliance/findings/${f1.id}/close`, {}, { role: 'compliance_officer' })).json().position;

    const day = await report(`from=2026-07-01&to=2026-07-02&after=${last}`);
    expect(day.statusCode).toBe(200);
    // Remediated after 30, 90 and 240 minutes; the waiver is no remediation.
    expect(day.json()).toEqual({
      period: { from: '2026-06-30T16:00:00.000Z', to: '2026-07-01T16:00:00.000Z' },
      total: 5,
      byRule: [
        { ...cmp01, count: 3 },
        { ruleId: 'CMP-04', ruleName: 'No price below the floor without approval', count: 1 },
        { ruleId: 'CMP-09', ruleName: 'Promises are kept by their due date', count: 1 },
      ],
      byRep: [
        { sellerId: 'rep-a', count: 3 },
        { sellerId: 'rep-b', count: 1 },
        { sellerId: 'rep-c', count: 1 },
      ],
      bySeverity: { low: 1, medium: 1, high: 2, critical: 1 },
      byStatus: { raised: 1, acknowledged: 0, remediated: 2, waived: 1, closed: 1 },
      remediated: 3,
      medianMinutesToRemediate: 90,
    });

    const morning = (await report('from=2026-07-01T09:00:00Z&to=2026-07-01T10:00:00Z')).json();
    expect(morning).toMatchObject({ total: 2, remediated: 2, medianMinutesToRemediate: 60 });
    const none = (await report('from=2026-07-01T10:05:00Z&to=2026-07-01T11:00:00Z', 'analyst')).json();
    expect(none).toMatchObject({ total: 1, remediated: 0, medianMinutesToRemediate: null, byStatus: { raised: 1 } });
    const empty = (await report('from=2030-01-01&to=2030-02-01', 'sales_manager')).json();
    expect(empty).toMatchObject({ total: 0, byRule: [], byRep: [], medianMinutesToRemediate: null });
  });

  it('answers 400 unless both ends are given, as dates or instants, from before to; 403 to a rep', async () => {
    for (const query of ['from=2026-07-01', 'to=2026-07-01', 'from=2026-07-02&to=2026-07-01', 'from=2026-07-01&to=2026-07-01', 'from=July&to=2026-08-01']) {
      const response = await report(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().type).toBe('/problems/invalid-input');
    }
    expect((await report('from=2026-07-01&to=2026-08-01', 'sales_rep')).statusCode).toBe(403);
  });
});

it('documents the finding routes in the OpenAPI description', async () => {
  const { paths } = (await t.app.inject('/openapi.json')).json();
  expect(Object.keys(paths)).toEqual(
    expect.arrayContaining(['/compliance/findings/{id}/waive', '/views/compliance/findings', '/views/compliance/findings/{id}', '/views/compliance/report']),
  );
  expect(paths['/views/compliance/report'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['from', 'to']));
});
