import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventStoreAccessDenied, EventStoreUnavailable } from '../../application/ports/eventStore.js';
import { hireRep } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const registerCustomer = async (name = 'Acme Bank') => {
  const response = await t.post('/customers', { name, industry: 'finance', region: 'east' });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; streamId: string; revision: number; position: number; events: string[] };
};
const openOpportunity = async (customerId: string, extra: Record<string, unknown> = {}, role = 'sales_rep') => {
  const body = { customerId, title: 'Firewall renewal', ownerId: 'dev-sales-rep', amount: { minor: 50_000_00, currency: 'CNY' }, ...extra };
  const response = await t.post('/opportunities', body, { role });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; streamId: string; revision: number; position: number };
};
const streamLength = async (streamId: string) => (await t.system.eventStore.readStream(streamId)).length;

describe('commands', () => {
  it('registers a customer and answers with id, stream, revision, position, events and an ETag', async () => {
    const response = await t.post('/customers', { name: 'Acme Bank', industry: 'finance', region: 'east' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      id: expect.any(String),
      streamId: `customer-${body.id}`,
      revision: 0,
      position: expect.any(Number),
      events: ['CustomerRegistered'],
    });
    expect(response.headers.etag).toBe('"0"');
  });

  it('records an interaction against the customer', async () => {
    const customer = await registerCustomer();
    const response = await t.post(`/customers/${customer.id}/interactions`, { kind: 'demo', note: 'SOC walkthrough', needs: ['24x7 monitoring'] });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ revision: 1, events: ['InteractionRecorded'] });
  });

  it('records who acted, when, under which request, chained by hash', async () => {
    const customer = await registerCustomer();
    const [event] = await t.system.eventStore.readStream(customer.streamId);
    expect(event!.metadata).toMatchObject({
      actor: { id: 'dev-sales-rep', role: 'sales_rep' },
      customerId: customer.id,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      correlationId: expect.any(String),
      schemaVersion: 1,
      prevHash: '0'.repeat(64),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('moves an opportunity through its stages and closes it', async () => {
    const customer = await registerCustomer();
    const opportunity = await openOpportunity(customer.id);
    expect((await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'discovery' })).statusCode).toBe(200);
    expect((await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'negotiation' })).statusCode).toBe(200);
    const back = await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'proposal', reason: 'procurement asked for a new offer' });
    expect(back.statusCode).toBe(200);
    const won = await t.post(`/opportunities/${opportunity.id}/win`, {});
    expect(won.json()).toMatchObject({ revision: 4, events: ['OpportunityWon'] });
  });
});

describe('refusals change nothing', () => {
  it('answers 401 without a key and 403 for a role that may not sell', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/customers', payload: { name: 'x', industry: 'y', region: 'z' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/application\/problem\+json/);
    const analyst = await t.post('/customers', { name: 'x', industry: 'y', region: 'z' }, { role: 'analyst' });
    expect(analyst.statusCode).toBe(403);
    expect(analyst.json()).toMatchObject({ type: '/problems/forbidden', status: 403 });
  });

  it('answers 400 field by field for unknown fields, wrong types and over-long strings', async () => {
    const head = await t.system.eventStore.headPosition();
    const response = await t.post('/customers', { name: 'x'.repeat(201), industry: 42, region: 'east', vip: true });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.type).toBe('/problems/invalid-input');
    const fields = problem.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'industry']));
    expect(JSON.stringify(problem.errors)).toMatch(/vip/);
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/customers',
      headers: { authorization: 'Bearer dev-sales-rep-key-0000', 'content-type': 'application/json' },
      payload: '{"name": "Acme",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().type).toBe('/problems/invalid-json');
  });

  it('answers 400 for money as a float', async () => {
    const customer = await registerCustomer();
    const response = await t.post('/opportunities', { customerId: customer.id, title: 't', ownerId: 'o', amount: { minor: 10.5, currency: 'CNY' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toBe('amount.minor');
  });

  it('answers 404 for an unknown customer or opportunity', async () => {
    const missing = '0193a000-0000-7000-8000-000000000000';
    const opportunity = await t.post('/opportunities', { customerId: missing, title: 't', ownerId: 'o', amount: { minor: 100, currency: 'CNY' } });
    expect(opportunity.statusCode).toBe(404);
    expect(opportunity.json()).toMatchObject({ type: '/problems/not-found', resource: 'Customer', id: missing });
    const stage = await t.post(`/opportunities/${missing}/stage`, { stage: 'discovery' });
    expect(stage.statusCode).toBe(404);
  });

  it('answers 422 naming the rule when a stage moves back without a reason, or a closed deal is changed', async () => {
    const customer = await registerCustomer();
    const opportunity = await openOpportunity(customer.id);
    await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'proposal' });
    const back = await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'discovery' });
    expect(back.statusCode).toBe(422);
    expect(back.json()).toMatchObject({ type: '/problems/rule-refused', rule: { id: 'OPP-04' } });
    await t.post(`/opportunities/${opportunity.id}/lose`, { reason: 'went with a competitor' });
    const length = await streamLength(opportunity.streamId);
    const after = await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'negotiation' });
    expect(after.statusCode).toBe(422);
    expect(after.json().rule.id).toBe('OPP-02');
    expect(await streamLength(opportunity.streamId)).toBe(length);
  });

  it('answers 409 when the customer id is taken', async () => {
    const customer = await registerCustomer();
    const again = await t.post('/customers', { id: customer.id, name: 'Other', industry: 'x', region: 'y' });
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('/problems/already-exists');
  });
});

describe('Idempotency-Key', () => {
  it('returns the first answer for a retry and appends nothing', async () => {
    const headers = { 'idempotency-key': 'create-customer-0001' };
    const first = await t.post('/customers', { name: 'Retry Ltd', industry: 'retail', region: 'north' }, { headers });
    const second = await t.post('/customers', { name: 'Retry Ltd', industry: 'retail', region: 'north' }, { headers });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await streamLength(first.json().streamId)).toBe(1);
  });

  it('refuses the same key with another body with 422 and appends nothing', async () => {
    const headers = { 'idempotency-key': 'create-customer-0002' };
    const first = await t.post('/customers', { name: 'Key Ltd', industry: 'retail', region: 'north' }, { headers });
    const other = await t.post('/customers', { name: 'Other Ltd', industry: 'retail', region: 'north' }, { headers });
    expect(other.statusCode).toBe(422);
    expect(other.json().type).toBe('/problems/idempotency-key-reused');
    expect(await streamLength(first.json().streamId)).toBe(1);
  });

  it('deduplicates actions on an existing stream', async () => {
    const customer = await registerCustomer();
    const headers = { 'idempotency-key': 'interaction-0003' };
    const body = { kind: 'call', note: 'follow-up' };
    const first = await t.post(`/customers/${customer.id}/interactions`, body, { headers });
    const second = await t.post(`/customers/${customer.id}/interactions`, body, { headers });
    expect(second.json()).toEqual(first.json());
    expect(await streamLength(customer.streamId)).toBe(2);
  });
});

describe('If-Match', () => {
  it('appends when the stream is at the given revision and answers 412 when it moved', async () => {
    const customer = await registerCustomer();
    const opportunity = await openOpportunity(customer.id);
    const ok = await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'discovery' }, { headers: { 'if-match': '"0"' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"1"');
    const stale = await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'proposal' }, { headers: { 'if-match': '"0"' } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ type: '/problems/precondition-failed', expectedRevision: 0, currentRevision: 1 });
    expect(await streamLength(opportunity.streamId)).toBe(2);
  });
});

describe('concurrency', () => {
  it('never loses an accepted change among 50 parallel stage changes', async () => {
    const customer = await registerCustomer();
    const opportunity = await openOpportunity(customer.id);
    const stages = ['discovery', 'proposal', 'negotiation', 'qualification'];
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.post(`/opportunities/${opportunity.id}/stage`, { stage: stages[i % 4], reason: `parallel ${i}` })),
    );
    const statuses = responses.map((r) => r.statusCode);
    // Conflicts are retried against the new state: a change still valid lands (200), one
    // that no longer is gets its rule (422), one that kept losing the race gets 409.
    expect(statuses.every((s) => s === 200 || s === 409 || s === 422)).toBe(true);
    const accepted = responses.filter((r) => r.statusCode === 200).map((r) => r.json() as { revision: number });
    expect(accepted.length).toBeGreaterThan(1);
    const events = await t.system.eventStore.readStream(opportunity.streamId);
    expect(events.length).toBe(1 + accepted.length);
    expect(accepted.map((a) => a.revision).sort((a, b) => a - b)).toEqual(events.slice(1).map((e) => e.revision));
    for (const [i, response] of responses.entries()) {
      if (response.statusCode !== 200) continue;
      const event = events[response.json().revision]!;
      expect(event.data).toMatchObject({ to: stages[i % 4], reason: `parallel ${i}` });
    }
  });

  it('answers 409 when the stream keeps changing under a command past its retries', async () => {
    const tight = await startTestApp({ env: { COMMAND_MAX_ATTEMPTS: '1' } });
    try {
      const customer = (await tight.post('/customers', { name: 'Race Ltd', industry: 'x', region: 'y' })).json();
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => tight.post(`/customers/${customer.id}/interactions`, { kind: 'call', note: `call ${i}` })),
      );
      const statuses = responses.map((r) => r.statusCode);
      const conflicts = responses.filter((r) => r.statusCode === 409);
      expect(conflicts.length).toBeGreaterThan(0);
      expect(conflicts[0]!.json().type).toBe('/problems/concurrency-conflict');
      const events = await tight.system.eventStore.readStream(customer.streamId);
      expect(events.length).toBe(1 + statuses.filter((s) => s === 201).length);
    } finally {
      await tight.close();
    }
  });
});

describe('views', () => {
  it('lists open opportunities with filters, sort and cursor pagination, reading its own writes', async () => {
    for (const seller of ['rep-a', 'rep-b']) await hireRep(t, seller);
    const customer = await registerCustomer('Pipeline Co');
    let last = 0;
    for (const [i, minor] of [300, 100, 500, 200, 400].entries()) {
      // Opened by their manager, in each rep's name.
      const o = await openOpportunity(customer.id, { amount: { minor: minor * 100, currency: 'CNY' }, ownerId: i % 2 ? 'rep-a' : 'rep-b' }, 'sales_manager');
      last = o.position;
    }
    const page1 = await t.get(`/views/pipeline?customerId=${customer.id}&sort=-amount&limit=2&after=${last}`, { role: 'analyst' });
    expect(page1.statusCode).toBe(200);
    expect(page1.json().items.map((i: { amount: { minor: number } }) => i.amount.minor)).toEqual([50000, 40000]);
    const page2 = await t.get(`/views/pipeline?customerId=${customer.id}&sort=-amount&limit=2&cursor=${page1.json().nextCursor}`, { role: 'analyst' });
    const page3 = await t.get(`/views/pipeline?customerId=${customer.id}&sort=-amount&limit=2&cursor=${page2.json().nextCursor}`, { role: 'analyst' });
    expect(page2.json().items.map((i: { amount: { minor: number } }) => i.amount.minor)).toEqual([30000, 20000]);
    expect(page3.json().items.map((i: { amount: { minor: number } }) => i.amount.minor)).toEqual([10000]);
    expect(page3.json().nextCursor).toBeNull();
    const repA = await t.get(`/views/pipeline?customerId=${customer.id}&ownerId=rep-a&sort=amount`, { role: 'analyst' });
    expect(repA.json().items.map((i: { amount: { minor: number } }) => i.amount.minor)).toEqual([10000, 20000]);
  });

  it('drops closed opportunities from the pipeline and sums open ones per stage', async () => {
    const customer = await registerCustomer('Summary Co');
    const a = await openOpportunity(customer.id, { amount: { minor: 1000, currency: 'USD' } });
    const b = await openOpportunity(customer.id, { amount: { minor: 2000, currency: 'USD' } });
    await t.post(`/opportunities/${a.id}/stage`, { stage: 'proposal' });
    const lost = await t.post(`/opportunities/${b.id}/lose`, { reason: 'no budget' });
    const list = await t.get(`/views/pipeline?customerId=${customer.id}&after=${lost.json().position}`);
    expect(list.json().items.map((i: { id: string }) => i.id)).toEqual([a.id]);
    const summary = await t.get(`/views/pipeline/summary?after=${lost.json().position}`, { role: 'analyst' });
    const proposal = summary.json().stages.find((s: { stage: string }) => s.stage === 'proposal');
    expect(proposal.totals).toContainEqual({ minor: 1000, currency: 'USD' });
  });

  it('answers 400 for a filter that is not offered and for a forged cursor', async () => {
    expect((await t.get('/views/pipeline?status=lost')).statusCode).toBe(400);
    expect((await t.get('/views/pipeline?cursor=bm90LWEtY3Vyc29y')).statusCode).toBe(400);
  });

  it('answers 503 with Retry-After when the view cannot reach the position in time', async () => {
    const response = await t.get('/views/pipeline?after=999999999');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
  });

  it('rebuilds the pipeline from zero into a new generation and serves the same answer', async () => {
    const customer = await registerCustomer('Rebuild Co');
    const o = await openOpportunity(customer.id);
    const before = (await t.get(`/views/pipeline?limit=200&sort=age&after=${o.position}`)).json();
    const rebuild = await t.post('/admin/projections/pipeline/rebuild', {}, { role: 'admin' });
    expect(rebuild.statusCode).toBe(202);
    const generation = rebuild.json().building.generation;
    await expect.poll(async () => (await t.get('/admin/projections', { role: 'admin' })).json().projections[0].active.generation, { timeout: 5000 }).toBe(generation);
    const after = (await t.get('/views/pipeline?limit=200&sort=age')).json();
    expect(after).toEqual(before);
  });
});

describe('audit', () => {
  it('returns a stream with metadata and verifies its chain', async () => {
    const customer = await registerCustomer();
    await t.post(`/customers/${customer.id}/interactions`, { kind: 'visit', note: 'on site' });
    const stream = await t.get(`/streams/${customer.streamId}`, { role: 'auditor' });
    expect(stream.statusCode).toBe(200);
    expect(stream.json().events.map((e: { type: string }) => e.type)).toEqual(['CustomerRegistered', 'InteractionRecorded']);
    const verify = await t.get(`/streams/${customer.streamId}/verify`, { role: 'auditor' });
    expect(verify.json()).toMatchObject({ intact: true, events: 2 });
    expect((await t.get(`/streams/${customer.streamId}`, { role: 'sales_rep' })).statusCode).toBe(403);
    expect((await t.get('/streams/customer-nobody', { role: 'auditor' })).statusCode).toBe(404);
  });
});

describe('operations', () => {
  it('serves health, readiness, metrics, OpenAPI and the docs page without a key', async () => {
    expect((await t.app.inject('/health/live')).statusCode).toBe(200);
    const ready = await t.app.inject('/health/ready');
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { eventStore: 'up', readStore: 'up', keyStore: 'up', views: 'consistent', followers: 'running' },
      viewsAheadOfLog: [],
      viewsCatchingUp: [],
      followersNotRunning: [],
    });
    const metrics = await t.app.inject('/metrics');
    expect(metrics.body).toMatch(/http_request_duration_seconds_bucket/);
    expect(metrics.body).toMatch(/projection_position\{projection="pipeline"\}/);
    expect(metrics.body).toMatch(/follower_state\{follower="projection:pipeline",kind="projection",state="running"\} 1/);
    expect(metrics.body).toMatch(/follower_state\{follower="reactor:compliance-checks",kind="reactor",state="running"\} 1/);
    const openapi = (await t.app.inject('/openapi.json')).json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/customers', '/opportunities/{id}/stage', '/views/pipeline']));
    const docs = await t.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toMatch(/swagger/i);
  });

  it('answers not ready while a store does not answer', async () => {
    const broken = await startTestApp();
    try {
      await broken.system.runner.stop();
      await broken.system.readStore.close();
      const ready = await broken.app.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({
        status: 'not_ready',
        checks: { eventStore: 'up', readStore: 'down', keyStore: 'up', views: 'consistent', followers: 'unknown' },
        viewsAheadOfLog: [],
      viewsCatchingUp: [],
        followersNotRunning: [],
      });
      expect((await broken.app.inject('/health/live')).statusCode).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it('names a right the event store refuses the service, and says nothing more of other failures', async () => {
    const denied = new EventStoreAccessDenied('EventStoreDB/KurrentDB denied a read of $all to the user in EVENTSTORE_URL');
    const ping = vi.spyOn(t.system.eventStore, 'ping').mockRejectedValueOnce(denied).mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.1.2.3:2113'));
    try {
      const refused = await t.app.inject('/health/ready');
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ status: 'not_ready', checks: { eventStore: 'down' }, problems: { eventStore: denied.message } });

      const unreachable = await t.app.inject('/health/ready');
      expect(unreachable.statusCode).toBe(503);
      expect(unreachable.json()).not.toHaveProperty('problems');
      expect(unreachable.body).not.toMatch(/10\.1\.2\.3/);
    } finally {
      ping.mockRestore();
    }
  });

  it('answers 503, to be retried, when the event store cannot serve a command', async () => {
    const append = vi.spyOn(t.system.eventStore, 'append').mockRejectedValueOnce(new EventStoreUnavailable('EventStoreDB/KurrentDB did not answer the append within 10000 ms'));
    try {
      const response = await t.post('/customers', { name: 'Timeout Ltd', industry: 'x', region: 'y' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toMatchObject({ type: '/problems/event-store-unavailable', status: 503 });
    } finally {
      append.mockRestore();
    }
  });

  it('carries the request id into the response and the correlation id of events', async () => {
    const response = await t.post('/customers', { name: 'Trace Ltd', industry: 'x', region: 'y' }, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(response.headers['x-request-id']).toBe('trace-abc-123');
    const [event] = await t.system.eventStore.readStream(response.json().streamId);
    expect(event!.metadata.correlationId).toBe('trace-abc-123');
  });
});
