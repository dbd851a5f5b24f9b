import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';
import { certifySeller } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/** Beijing wall-clock time (UTC+8) as the UTC instant the clock reads. */
const bj = (local: string) => new Date(`${local}+08:00`).toISOString();
const clock = { at: bj('2026-03-09T10:00'), now() { return this.at; } };
const cny = (yuan: number) => ({ minor: yuan * 100, currency: 'CNY' });
const DESK = { role: 'support_agent' };

type Answer = { id: string; streamId: string; revision: number; position: number; events: string[]; findings?: string[] };

let t: TestApp;
let customerId: string;
let otherCustomerId: string;
let orderId: string;
let otherOrderId: string;
let promiseId: string;

const ok = async (url: string, body: unknown, role = 'support_agent', status = 200) => {
  const response = await t.post(url, body, { role });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
  return response.json() as Answer;
};
const file = (body: Record<string, unknown> = {}, role = 'support_agent') =>
  ok('/complaints', { customerId, channel: 'phone', category: 'delivery', severity: 'high', summary: '防火墙晚到 / the firewalls came late', ...body }, role, 201);
const view = async (url: string, after: number, role = 'support_agent') => {
  const response = await t.get(`${url}${url.includes('?') ? '&' : '?'}after=${after}`, { role });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  return response.json();
};
const head = async () => (await t.system.eventStore.headPosition()) ?? 0;

/** A quote the customer accepted and the order placed from it: five firewalls, 5,000.00 CNY. */
const order = async (forCustomer: string) => {
  await ok(`/customers/${forCustomer}/credit-limit`, { limit: cny(100_000) }, 'finance');
  const opportunityId = (await t.post('/opportunities', { customerId: forCustomer, title: 'Branch firewalls', ownerId: 'dev-sales-rep', amount: cny(5_000) })).json().id;
  const quote = await ok('/quotes', { opportunityId, lines: [{ sku: 'FW-100', qty: 5, unitPrice: cny(1_000), discountPct: 0 }], validUntil: '2026-03-31T00:00:00Z' }, 'sales_rep', 201);
  for (const action of ['submit', 'send', 'accept']) await ok(`/quotes/${quote.id}/${action}`, {}, 'sales_rep');
  return (await ok('/orders', { quoteId: quote.id, promisedDeliveryDate: '2026-03-20' }, 'sales_rep', 201)).id;
};

beforeAll(async () => {
  t = await startTestApp({ clock });
  // The test moves the clock and ticks the watcher itself.
  await t.system.deadlines.stop();
  await ok(
    '/products',
    {
      sku: 'FW-100',
      name: 'Firewall 100',
      capabilities: ['threat inspection'],
      maxSla: { availabilityPct: 99.9, responseHours: 4 },
      leadTimeDays: 7,
      listPrice: cny(1_000),
      floorPrice: cny(700),
      unitCost: cny(400),
    },
    'sales_manager',
    201,
  );
  await certifySeller(t, ['FW-100']);
  await ok('/reps', { actorId: 'dev-support-agent', name: '客服 小陈', team: 'service desk', role: 'support_agent' }, 'admin', 201);
  customerId = (await ok('/customers', { name: '华东银行', industry: 'finance', region: 'east' }, 'sales_rep', 201)).id;
  otherCustomerId = (await ok('/customers', { name: '西部证券', industry: 'finance', region: 'west' }, 'sales_rep', 201)).id;
  orderId = await order(customerId);
  otherOrderId = await order(otherCustomerId);
  promiseId = (await ok('/promises', { customerId, kind: 'delivery', statement: '三月十五日前交付 / delivered by 15 March', committed: { deliveryDate: '2026-03-15' }, dueDate: '2026-03-15' }, 'sales_rep', 201)).id;
});
afterAll(() => t.close());

describe('filing a complaint', () => {
  it('answers with the complaint and its findings; the view shows its clocks, the reporter revealed to the desk and withheld from analysts', async () => {
    const filed = await file({ orderId, sku: 'FW-100', reporter: { name: '王经理', phone: '+86 138 0000 1111', email: 'wang@example.cn' } });
    expect(filed).toEqual({ id: expect.any(String), streamId: `complaint-${filed.id}`, revision: 0, position: expect.any(Number), events: ['ComplaintFiled'], findings: [] });
    const [event] = await t.system.eventStore.readStream(filed.streamId);
    expect(JSON.stringify(event)).not.toMatch(/王经理|0000 1111|wang@example/);
    expect(event!.metadata).toMatchObject({ customerId, policyVersion: 1 });

    const complaint = await view(`/views/complaints/${filed.id}`, filed.position);
    expect(complaint).toMatchObject({
      id: filed.id,
      status: 'open',
      orderId,
      sellerId: 'dev-sales-rep',
      policyVersion: 1,
      reporter: { name: '王经理', phone: '+86 138 0000 1111', email: 'wang@example.cn' },
      overdue: false,
      clocks: {
        firstResponse: { state: 'running', targetMinutes: 120, dueAt: bj('2026-03-09T12:00'), elapsedMinutes: 0, remainingMinutes: 120, breached: false },
        resolution: { state: 'running', targetMinutes: 960, dueAt: bj('2026-03-11T10:00') },
      },
      timeline: [{ event: 'ComplaintFiled', by: 'dev-support-agent' }],
    });
    expect((await view(`/views/complaints/${filed.id}`, filed.position, 'analyst')).reporter).toEqual({ name: '[withheld]', phone: '[withheld]', email: '[withheld]' });
  });

  it('lists the complaint in the customer 360, which the desk may read', async () => {
    const filed = await file({ severity: 'low', category: 'billing', summary: 'invoiced twice' });
    const customer = await view(`/views/customers/${customerId}`, filed.position);
    expect(customer.complaints).toEqual(expect.arrayContaining([{ id: filed.id, category: 'billing', severity: 'low', status: 'open', summary: 'invoiced twice', filedAt: clock.at, breached: false, rating: null }]));
  });

  it('refuses what it cannot file with a problem document, appending nothing', async () => {
    const before = await head();
    const attempt = (body: Record<string, unknown>) => t.post('/complaints', { customerId, channel: 'phone', category: 'delivery', severity: 'high', summary: 'late', ...body }, DESK);
    const unknown = '0193a000-0000-7000-8000-000000000000';

    const noCustomer = await attempt({ customerId: unknown });
    expect(noCustomer.statusCode).toBe(404);
    expect(noCustomer.json()).toMatchObject({ type: '/problems/not-found', resource: 'Customer', id: unknown });
    expect((await attempt({ orderId: unknown })).json()).toMatchObject({ status: 404, resource: 'Order' });
    expect((await attempt({ promiseId: unknown })).json()).toMatchObject({ status: 404, resource: 'Promise' });
    expect((await attempt({ sku: 'NO-SUCH' })).json()).toMatchObject({ status: 404, resource: 'Product' });

    const foreignOrder = await attempt({ orderId: otherOrderId });
    expect(foreignOrder.statusCode).toBe(422);
    expect(foreignOrder.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'CPL-03', name: "The order, promise and deal a complaint names are its customer's own" } });
    expect((await attempt({ category: 'conduct' })).json()).toMatchObject({ status: 422, rule: { id: 'CPL-04' } });

    const malformed = await attempt({ severity: 'urgent', channel: 'fax', summary: '', reporter: { phone: 'call me' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().type).toBe('/problems/invalid-input');
    expect(malformed.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['channel', 'reporter.name', 'reporter.phone', 'severity', 'summary']);

    expect((await t.post('/complaints', { customerId, channel: 'phone', category: 'delivery', severity: 'high', summary: 'late' }, { role: 'analyst' })).statusCode).toBe(403);
    expect(await head()).toBe(before);
  });

  it('runs under the revision in force when it was filed: a later revision with other targets leaves it be', async () => {
    const before = await file({ severity: 'critical' });
    const targets = { ...DEFAULT_POLICY.complaintService!.targets, critical: { firstResponseMinutes: 15, resolutionMinutes: 240, businessHours: false } };
    const published = await ok(
      '/policy/revisions',
      { ...DEFAULT_POLICY, changeNote: 'Critical complaints answered within 15 minutes', effectiveFrom: clock.at, complaintService: { ...DEFAULT_POLICY.complaintService!, targets } },
      'compliance_officer',
      201,
    );
    const after = await file({ severity: 'critical' });
    expect((await view(`/views/complaints/${before.id}`, after.position)).clocks.firstResponse).toMatchObject({ targetMinutes: 30, dueAt: bj('2026-03-09T10:30') });
    expect(await view(`/views/complaints/${after.id}`, after.position)).toMatchObject({
      policyVersion: (published as Answer & { policyRevision: number }).policyRevision,
      clocks: { firstResponse: { targetMinutes: 15, dueAt: bj('2026-03-09T10:15') } },
    });
  });
});

describe('working a complaint', () => {
  it('refuses steps out of order, an assignee not on the roster, a rating out of range and a remedy in another currency than the order, appending nothing', async () => {
    const filed = await file({ orderId });
    const id = filed.id;
    const before = await head();
    const refused = async (action: string, body: unknown, rule: string, role = 'support_agent') => {
      const response = await t.post(`/complaints/${id}/${action}`, body, { role });
      expect(response.statusCode, `${action}: ${response.body}`).toBe(422);
      expect(response.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: rule } });
    };
    await refused('assign', { assigneeId: 'nobody' }, 'CPL-07');
    await refused('resolve', { resolution: 'done' }, 'CPL-14');
    await refused('close', {}, 'CPL-17');
    await refused('info-received', { note: 'unasked' }, 'CPL-09');
    await refused('rate', { csat: 5 }, 'CPL-18');
    await refused('propose', { resolution: 'refund', remedy: { kind: 'refund', amount: { minor: 10_000, currency: 'USD' } } }, 'CPL-12');
    await refused('propose', { resolution: 'refund', remedy: { kind: 'refund', amount: cny(4_000) } }, 'CPL-13', 'sales_rep');
    await refused('escalate', { level: 9, reason: 'higher' }, 'CPL-10');
    expect(await head()).toBe(before);

    expect((await t.post(`/complaints/${id}/rate`, { csat: 5 }, { role: 'sales_rep' })).statusCode).toBe(403);
    expect((await t.post('/complaints/0193a000-0000-7000-8000-000000000000/respond', { note: 'hello' }, DESK)).statusCode).toBe(404);
    const badRating = await t.post(`/complaints/${id}/rate`, { csat: 4.5 }, DESK);
    expect(badRating.statusCode).toBe(400);
    expect(badRating.json().errors).toEqual([expect.objectContaining({ field: 'csat' })]);

    await ok(`/complaints/${id}/assign`, { assigneeId: 'dev-support-agent' });
    await ok(`/complaints/${id}/respond`, { note: '已联系物流 / chased the carrier' });
    await ok(`/complaints/${id}/propose`, { resolution: 'refund the delay', remedy: { kind: 'refund', amount: cny(500) } });
    await ok(`/complaints/${id}/resolve`, { resolution: 'refunded 500.00 for the delay' });
    await refused('rate', { csat: 6 }, 'CPL-18');
    await refused('respond', { note: 'again' }, 'CPL-06');
    const rated = await ok(`/complaints/${id}/rate`, { csat: 5, nps: 9, comment: '满意 / satisfied' });
    await refused('rate', { csat: 4 }, 'CPL-18');
    const complaint = await view(`/views/complaints/${id}`, rated.position);
    expect(complaint).toMatchObject({
      status: 'resolved',
      assigneeId: 'dev-support-agent',
      outcome: { resolution: 'refunded 500.00 for the delay', remedy: { kind: 'refund', amount: cny(500) }, resolvedBy: 'dev-support-agent' },
      rating: { csat: 5, nps: 9, comment: '满意 / satisfied' },
    });
    expect(complaint.timeline.map((e: { event: string }) => e.event)).toEqual([
      'ComplaintFiled',
      'ComplaintAssigned',
      'ComplaintResponded',
      'ComplaintResolutionProposed',
      'ComplaintResolved',
      'ComplaintRated',
    ]);
  });

  it("raises CMP-10 against the promise's seller, keeps that seller and their manager from settling it, and marks the promise broken once upheld", async () => {
    const filed = await file({ category: 'false_promise', promiseId, summary: '承诺三月十五日交付，未兑现 / promised by 15 March, not kept' });
    expect(filed.findings).toHaveLength(1);
    // The finding is raised after the complaint is filed, so the view waits for the log's head, not for the complaint.
    const finding = await view(`/views/compliance/findings/${filed.findings![0]}`, await head(), 'compliance_officer');
    expect(finding).toMatchObject({ ruleId: 'CMP-10', severity: 'high', sellerId: 'dev-sales-rep', sellerManagerId: 'dev-sales-manager', subject: { kind: 'complaint', id: filed.id }, customerId });

    await ok(`/complaints/${filed.id}/respond`, { note: 'looking into it' });
    const sellerResolves = await t.post(`/complaints/${filed.id}/resolve`, { resolution: 'nothing wrong' }, { role: 'sales_rep' });
    expect(sellerResolves.json()).toMatchObject({ status: 422, rule: { id: 'CPL-15' } });
    await ok(`/complaints/${filed.id}/resolve`, { resolution: 'delivered late: the promise was not kept', upheld: true });
    const [broken] = (await t.system.eventStore.readStream(`promise-${promiseId}`)).filter((e) => e.type === 'PromiseBroken');
    expect(broken!.data).toEqual({ promiseId, customerId, reason: 'Complaint ' + filed.id + ' was upheld: delivered late: the promise was not kept', complaintId: filed.id });
    expect(broken!.metadata).toMatchObject({ actor: { id: 'complaint-follow-ups', role: 'system' } });

    for (const role of ['sales_rep', 'sales_manager']) {
      const closing = await t.post(`/complaints/${filed.id}/close`, {}, { role });
      expect(closing.json(), role).toMatchObject({ status: 422, rule: { id: 'CPL-15' } });
    }
    await ok(`/complaints/${filed.id}/close`, {});
  });
});

describe('the complaints views', () => {
  const at = (local: string) => {
    clock.at = bj(local);
  };
  const ids: Record<string, string> = {};
  let from: string;

  beforeAll(async () => {
    // A week of its own, so the SLA report reads only these four.
    at('2026-04-13T10:00:00');
    from = clock.at;
    ids.k1 = (await file({ severity: 'high', sku: 'FW-100' })).id;
    at('2026-04-13T10:00:01');
    ids.k2 = (await file({ severity: 'high' })).id;
    at('2026-04-13T10:00:02');
    ids.k3 = (await file({ severity: 'critical', category: 'service' })).id;
    at('2026-04-13T10:00:03');
    ids.k4 = (await file({ severity: 'low', category: 'billing' })).id;
    at('2026-04-13T10:30:00');
    await ok(`/complaints/${ids.k1}/respond`, { note: 'on it' });
    at('2026-04-13T11:00:01');
    await ok(`/complaints/${ids.k2}/respond`, { note: 'on it' });
    at('2026-04-13T11:00:02');
    await ok(`/complaints/${ids.k3}/respond`, { note: 'sorry, we were slow' });
    at('2026-04-13T11:30:00');
    await ok(`/complaints/${ids.k1}/resolve`, { resolution: 'fixed' });
    await ok(`/complaints/${ids.k1}/rate`, { csat: 5, nps: 10 });
    at('2026-04-13T12:00:02');
    await ok(`/complaints/${ids.k3}/resolve`, { resolution: 'restarted the sensor' });
    at('2026-04-13T13:00:02');
    await ok(`/complaints/${ids.k3}/reopen`, { reason: 'the sensor is down again' });
    at('2026-04-14T10:00:01');
    await ok(`/complaints/${ids.k2}/resolve`, { resolution: 'replaced the unit' });
    await ok(`/complaints/${ids.k2}/rate`, { csat: 3, nps: 6 });
    at('2026-04-14T10:30:00');
  });

  it('report the service levels of a period: times, breach and reopen rates, satisfaction and NPS, overall and per severity', async () => {
    const report = await view(`/views/complaints/sla?from=2026-04-13&to=2026-04-20&groupBy=severity`, await head(), 'analyst');
    expect(report.total).toEqual({
      complaints: 4,
      firstResponse: { stopped: 3, medianMinutes: 60, p90Minutes: 60, breached: 1, breachRate: 0.25 },
      resolution: { stopped: 2, medianMinutes: 285, p90Minutes: 480, breached: 0, breachRate: 0 },
      reopenRate: 0.3333,
      csat: { responses: 2, average: 4, distribution: { '1': 0, '2': 0, '3': 1, '4': 0, '5': 1 } },
      nps: { responses: 2, score: 0, promoters: 1, passives: 0, detractors: 1 },
    });
    expect(report.groups.map((g: { key: string; complaints: number }) => [g.key, g.complaints])).toEqual([
      ['critical', 1],
      ['high', 2],
      ['low', 1],
    ]);
    expect(report.groups[0]).toMatchObject({ firstResponse: { medianMinutes: 60, breachRate: 1 }, resolution: { stopped: 0, medianMinutes: null }, reopenRate: 1 });
    expect(report.groups[1]).toMatchObject({ firstResponse: { medianMinutes: 45, p90Minutes: 60 }, resolution: { medianMinutes: 285 }, csat: { average: 4 } });
    const bySku = await view(`/views/complaints/sla?from=2026-04-13&to=2026-04-20&groupBy=sku`, await head(), 'analyst');
    expect(bySku.groups.map((g: { key: string; complaints: number }) => [g.key, g.complaints])).toEqual([
      ['FW-100', 1],
      ['none', 3],
    ]);
  });

  it('filter, sort by due time or age, and page with a cursor', async () => {
    const list = async (query: string) => (await view(`/views/complaints?from=2026-04-13&to=2026-04-20&${query}`, await head())).items.map((c: { id: string }) => c.id);
    expect(await list('sort=age')).toEqual([ids.k1, ids.k2, ids.k3, ids.k4]);
    expect(await list('sort=-age')).toEqual([ids.k4, ids.k3, ids.k2, ids.k1]);
    expect(await list('severity=high&sort=age')).toEqual([ids.k1, ids.k2]);
    expect(await list('sku=FW-100')).toEqual([ids.k1]);
    // k3's resolution clock runs again since the reopening and ran out on Monday; k4's first response was due on Tuesday at 10:00:03.
    expect(await list('overdue=true&sort=due')).toEqual([ids.k3, ids.k4]);
    expect(await list('overdue=false')).toEqual([ids.k1, ids.k2]);
    expect(await list('sort=due')).toEqual([ids.k3, ids.k4, ids.k1, ids.k2]);
    expect(await list('breached=true')).toEqual([ids.k3]);

    const first = await view('/views/complaints?from=2026-04-13&to=2026-04-20&sort=age&limit=2', await head());
    expect(first.items.map((c: { id: string }) => c.id)).toEqual([ids.k1, ids.k2]);
    const second = await view(`/views/complaints?from=2026-04-13&to=2026-04-20&sort=age&limit=2&cursor=${first.nextCursor}`, await head());
    expect(second.items.map((c: { id: string }) => c.id)).toEqual([ids.k3, ids.k4]);
    const reused = await t.get(`/views/complaints?from=2026-04-13&to=2026-04-20&sort=due&limit=2&cursor=${first.nextCursor}`, DESK);
    expect(reused.statusCode).toBe(400);
  });

  it('show breaches the watcher records and the escalations that follow', async () => {
    const outcomes = await t.system.deadlines.tick();
    expect(outcomes.filter((o) => [ids.k3, ids.k4].some((id) => o.deadline.streamId === `complaint-${id}`)).map((o) => [o.deadline.kind, o.deadline.streamId, o.outcome]).sort()).toEqual(
      [
        ['complaint-first-response', `complaint-${ids.k4}`, 'done'],
        ['complaint-resolution', `complaint-${ids.k3}`, 'done'],
      ].sort(),
    );
    const breached = (await view(`/views/complaints?from=2026-04-13&to=2026-04-20&breached=true&sort=age`, await head())).items;
    expect(breached.map((c: { id: string; escalationLevel: number; escalatedTo: string }) => [c.id, c.escalationLevel, c.escalatedTo])).toEqual([
      [ids.k3, 2, 'admin'],
      [ids.k4, 1, 'sales_manager'],
    ]);
  });

  it('refuse a malformed query: no period for the report, an unknown grouping or filter', async () => {
    expect((await t.get('/views/complaints/sla?groupBy=severity', DESK)).statusCode).toBe(400);
    expect((await t.get(`/views/complaints/sla?from=${from}&to=2026-04-20&groupBy=colour`, DESK)).statusCode).toBe(400);
    expect((await t.get('/views/complaints?overdue=maybe', DESK)).statusCode).toBe(400);
    expect((await t.get('/views/complaints?from=2026-04-20&to=2026-04-13', DESK)).statusCode).toBe(400);
  });
});
