import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../application/ids.js';
import type { Clock } from '../../application/ports/clock.js';
import { CommandPipeline } from '../../application/commandPipeline.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';
import { promiseAggregate, promiseStreamId } from '../../domain/promise/promise.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/** A clock the test moves by hand, so events land at known moments. */
const clock: Clock & { at: string } = { at: '2024-03-01T09:00:00.000Z', now: () => clock.at };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

type Written = { id: string; streamId: string; revision: number; position: number };

const registerCustomer = async (name = 'Audit Bank') => {
  const response = await t.post('/customers', { name, industry: 'finance', region: 'east' });
  expect(response.statusCode).toBe(201);
  return response.json() as Written;
};
const openOpportunity = async (customerId: string) => {
  const response = await t.post('/opportunities', { customerId, title: 'SOC service', ownerId: 'dev-sales-rep', amount: { minor: 80_000_00, currency: 'CNY' } });
  expect(response.statusCode).toBe(201);
  return response.json() as Written;
};
const history = (customerId: string, query: string) => t.get(`/audit/customers/${customerId}/history?${query}`, { role: 'auditor' });

describe('history as of a moment', () => {
  let customer: Written;
  let opportunity: Written;
  let last: number;

  beforeAll(async () => {
    clock.at = '2024-03-01T09:00:00.000Z';
    customer = await registerCustomer();
    clock.at = '2024-03-01T09:30:00.000Z';
    opportunity = await openOpportunity(customer.id);
    clock.at = '2024-03-01T11:00:00.000Z';
    await t.post(`/customers/${customer.id}/interactions`, { kind: 'demo', note: 'SOC walkthrough' });
    last = (await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'proposal' })).json().position;
  });

  it('returns the events up to that moment, in log order, with the state each aggregate had then', async () => {
    const response = await history(customer.id, `asOf=2024-03-01T10:00:00Z&after=${last}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.asOf).toBe('2024-03-01T10:00:00.000Z');
    expect(body.streams).toEqual([customer.streamId, opportunity.streamId]);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(['CustomerRegistered', 'OpportunityOpened']);
    expect(body.events[0]).toMatchObject({
      streamId: customer.streamId,
      revision: 0,
      occurredAt: '2024-03-01T09:00:00.000Z',
      actor: { id: 'dev-sales-rep', role: 'sales_rep' },
      metadata: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      state: { status: 'registered', interactions: 0 },
    });
    expect(body.events[1].position).toBeGreaterThan(body.events[0].position);
    expect(body.aggregates[customer.streamId]).toMatchObject({ status: 'registered', name: 'Audit Bank', interactions: 0 });
    expect(body.aggregates[opportunity.streamId]).toMatchObject({ status: 'open', stage: 'qualification' });
  });

  it('replays everything up to now when asOf is omitted, and nothing before the first event', async () => {
    const now = (await history(customer.id, `after=${last}`)).json();
    expect(now.asOf).toBe(clock.at);
    expect(now.events.map((e: { type: string }) => e.type)).toEqual(['CustomerRegistered', 'OpportunityOpened', 'InteractionRecorded', 'OpportunityStageChanged']);
    expect(now.events[2].state).toMatchObject({ interactions: 1 });
    expect(now.aggregates[opportunity.streamId]).toMatchObject({ stage: 'proposal' });
    const before = (await history(customer.id, 'asOf=2024-03-01T08:59:59.999Z')).json();
    expect(before).toMatchObject({ events: [], streams: [], aggregates: {} });
  });

  it('ties a stream that names the customer only in its data', async () => {
    clock.at = '2024-03-02T09:00:00.000Z';
    const promiseId = '0193b000-0000-7000-8000-0000000000a1';
    // Written by an aggregate that names no customer in its events' metadata, so only the promise's data ties it.
    const pipeline = new CommandPipeline({ eventStore: t.system.eventStore, clock, schemas: storedEventSchemas(), personalData: t.system.personalData });
    const recorded = await pipeline.handle({
      aggregate: { ...promiseAggregate, customerOf: undefined },
      id: promiseId,
      command: {
        type: 'RecordPromise',
        promiseId,
        customerId: customer.id,
        kind: 'support',
        statement: 'A named engineer on call',
        committed: {},
        dueDate: '2024-06-30',
        madeBy: 'dev-sales-rep',
      },
      expects: 'new',
      envelope: { commandId: 'audit-test-promise-1', actor: { id: 'dev-sales-rep', role: 'sales_rep' }, correlationId: 'audit-test' },
    });
    const body = (await history(customer.id, `after=${recorded.position}`)).json();
    expect(body.streams).toContain(promiseStreamId(promiseId));
    expect(body.aggregates[promiseStreamId(promiseId)]).toMatchObject({ status: 'open', customerId: customer.id });
  });

  it('answers 400 for a time that is not ISO-8601, 404 for an unknown customer', async () => {
    const bad = await history(customer.id, 'asOf=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ in: 'querystring', field: 'asOf' });
    const missing = await t.get('/audit/customers/0193a000-0000-7000-8000-00000000dead/history', { role: 'auditor' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: '/problems/not-found', resource: 'Customer' });
    expect((await t.get('/audit/customers/0193a000-0000-7000-8000-00000000dead/verify', { role: 'auditor' })).statusCode).toBe(404);
  });
});

describe('verification', () => {
  it('reports every tied stream intact, then finds a stored event altered in the database, by stream and revision', async () => {
    const customer = await registerCustomer('Tamper Ltd');
    const opportunity = await openOpportunity(customer.id);
    await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'discovery' });
    const last = (await t.post(`/opportunities/${opportunity.id}/stage`, { stage: 'proposal' })).json().position;

    const intact = await t.get(`/audit/customers/${customer.id}/verify?after=${last}`, { role: 'auditor' });
    expect(intact.statusCode).toBe(200);
    expect(intact.json()).toEqual({ customerId: customer.id, intact: true, streams: 2, events: 4 });

    const db = new Database(join(t.dataDir, 'events.sqlite'));
    try {
      const changed = db
        .prepare("UPDATE events SET data = json_set(data, '$.stage', 'negotiation') WHERE stream_id = ? AND revision = 1")
        .run(opportunity.streamId);
      expect(changed.changes).toBe(1);
    } finally {
      db.close();
    }

    const broken = (await t.get(`/audit/customers/${customer.id}/verify`, { role: 'compliance_officer' })).json();
    expect(broken).toMatchObject({
      customerId: customer.id,
      intact: false,
      streams: 2,
      events: 4,
      brokenStream: opportunity.streamId,
      breaksAt: { revision: 1, reason: 'hash_mismatch' },
      broken: [{ streamId: opportunity.streamId }],
    });
  });
});

describe('who may audit', () => {
  it('lets auditors and compliance read the audit and refuses sellers and analysts', async () => {
    const customer = await registerCustomer('Roles Ltd');
    for (const role of ['auditor', 'compliance_officer', 'admin']) {
      expect((await t.get(`/audit/customers/${customer.id}/verify`, { role })).statusCode).toBe(200);
    }
    for (const role of ['sales_rep', 'analyst']) {
      expect((await t.get(`/audit/customers/${customer.id}/history`, { role })).statusCode).toBe(403);
    }
  });

  it('refuses commands from auditors and analysts with 403 and appends nothing', async () => {
    const customer = await registerCustomer('Read Only Ltd');
    const head = await t.system.eventStore.headPosition();
    for (const role of ['auditor', 'analyst']) {
      expect((await t.post('/customers', { name: 'x', industry: 'y', region: 'z' }, { role })).statusCode).toBe(403);
      expect((await t.post(`/customers/${customer.id}/interactions`, { kind: 'call', note: 'n' }, { role })).statusCode).toBe(403);
      const opportunity = await t.post('/opportunities', { customerId: customer.id, title: 't', ownerId: 'o', amount: { minor: 1, currency: 'CNY' } }, { role });
      expect(opportunity.statusCode).toBe(403);
    }
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });
});

describe('what-if recheck', () => {
  /** Straight through the command services, so the test does not lean on other slices' routes. */
  const as = (role: string) => ({ commandId: newId(), actor: { id: `dev-${role.replace('_', '-')}`, role }, correlationId: 'audit-recheck-test' });

  const publishPolicy = async (content: typeof DEFAULT_POLICY) =>
    (await t.system.commands.policy.publish({ effectiveFrom: clock.at, ...content }, as('compliance_officer'))).policyRevision;

  it('judges a past promise under two revisions with the facts as they stood when it was made, appending nothing', async () => {
    const customer = await registerCustomer('Recheck Ltd');
    const sku = 'AUDIT-FW-1';
    const seller = 'audit-rep-1';
    const promiseId = '0193b000-0000-7000-8000-0000000000b1';

    clock.at = '2024-04-01T09:00:00.000Z';
    const strict = await publishPolicy(DEFAULT_POLICY);
    const money = (minor: number) => ({ minor, currency: 'CNY' });
    await t.system.commands.products.publish(
      {
        sku,
        name: 'Firewall 1',
        capabilities: ['intrusion prevention'],
        maxSla: { availabilityPct: 99.9, responseHours: 4 },
        leadTimeDays: 30,
        listPrice: money(100_000_00),
        floorPrice: money(60_000_00),
        unitCost: money(30_000_00),
      },
      as('admin'),
    );
    await t.system.commands.reps.hire({ actorId: seller, name: 'Audit Rep', team: 'east', role: 'sales_rep' }, as('admin'));

    clock.at = '2024-04-01T09:10:00.000Z';
    const { result: recorded } = await t.system.commands.promises.record(
      {
        promiseId,
        customerId: customer.id,
        kind: 'capability',
        statement: '这款防火墙绝对安全，永不被攻破',
        sku,
        committed: { capability: 'intrusion prevention' },
        dueDate: '2024-06-30',
      },
      { commandId: newId(), actor: { id: seller, role: 'sales_rep' }, correlationId: 'audit-recheck-test' },
    );
    expect((await t.system.eventStore.readStream(promiseStreamId(promiseId)))[0]!.metadata.policyVersion).toBe(strict);
    // The subscriber follows the findings up too; it must have passed the promise before the head is taken.
    const promiseRecorded = (await t.system.eventStore.readStream(promiseStreamId(promiseId)))[0]!.position;
    // The answer's position is past the findings it raised.
    expect(recorded.position).toBeGreaterThan(promiseRecorded);
    await expect.poll(() => t.system.readStore.getMeta('reactor:compliance-checks')).toBeGreaterThanOrEqual(promiseRecorded);

    // Recorded after the promise, though passed before it: the seller was not on record as certified when promising.
    clock.at = '2024-04-01T09:20:00.000Z';
    await t.system.commands.reps.recordTraining(
      seller,
      { trainingId: 'tr-1', course: 'Firewall 1 basics', passedAt: '2024-03-01T00:00:00.000Z', certifies: [sku], expiresAt: '2025-03-01T00:00:00.000Z' },
      as('admin'),
    );

    clock.at = '2024-04-01T09:30:00.000Z';
    const lenient = await publishPolicy({
      ...DEFAULT_POLICY,
      changeNote: 'Absolute claims no longer banned',
      bannedClaims: { phrases: [], patterns: [] },
      claims: { ...DEFAULT_POLICY.claims!, phrases: [], structures: [] },
    });

    const head = await t.system.eventStore.headPosition();
    const recheck = (policyRevision: number, role = 'auditor') => t.post('/audit/recheck', { promiseId, policyRevision }, { role });

    const underStrict = await recheck(strict);
    expect(underStrict.statusCode).toBe(200);
    expect(underStrict.json()).toMatchObject({ promiseId, policyRevision: strict, recordedUnder: strict, factsAsOf: '2024-04-01T09:10:00.000Z' });
    const strictViolations = underStrict.json().violations as { rule: { id: string }; action: string; policyRevision: number }[];
    expect(strictViolations.map((v) => v.rule.id).sort()).toEqual(['CMP-01', 'CMP-07']);
    expect(strictViolations.every((v) => v.action === 'flag' && v.policyRevision === strict)).toBe(true);
    expect(strictViolations.find((v) => v.rule.id === 'CMP-01')).toMatchObject({ claims: [{ category: 'absolute', start: 5, end: 9, text: '绝对安全' }, { text: '永不被攻破' }] });

    const underLenient = await recheck(lenient, 'compliance_officer');
    expect(underLenient.statusCode).toBe(200);
    expect(underLenient.json()).toMatchObject({ policyRevision: lenient, recordedUnder: strict });
    expect(underLenient.json().violations.map((v: { rule: { id: string } }) => v.rule.id)).toEqual(['CMP-07']);

    const unknownRevision = await recheck(lenient + 1);
    expect(unknownRevision.statusCode).toBe(404);
    expect(unknownRevision.json()).toMatchObject({ resource: 'Policy revision', id: String(lenient + 1) });
    expect((await t.post('/audit/recheck', { promiseId: '0193b000-0000-7000-8000-0000000000ff', policyRevision: strict }, { role: 'auditor' })).statusCode).toBe(404);
    expect((await recheck(strict, 'sales_rep')).statusCode).toBe(403);
    expect((await t.post('/audit/recheck', { promiseId, policyRevision: 0 }, { role: 'auditor' })).statusCode).toBe(400);

    expect(await t.system.eventStore.headPosition()).toBe(head);
  });
});
