import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandPipeline } from '../../application/commandPipeline.js';
import { findingIdFor } from '../../application/compliance/complianceChecks.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { newId } from '../../application/ids.js';
import type { RecordedEvent } from '../../application/ports/eventStore.js';
import { findingStreamId } from '../../domain/compliance/finding.js';
import { DEFAULT_POLICY } from '../../domain/policy/policy.js';
import { promiseAggregate, promiseStreamId, type RecordPromise } from '../../domain/promise/promise.js';
import { certifySeller } from '../support/roster.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const cny = (minor: number) => ({ minor, currency: 'CNY' });

let t: TestApp;
let customerId: string;
let opportunityId: string;

const product = (sku: string) => ({
  sku,
  name: sku,
  capabilities: ['5Gbps threat inspection'],
  maxSla: { availabilityPct: 99.9, responseHours: 4 },
  leadTimeDays: 14,
  listPrice: cny(100_000),
  floorPrice: cny(70_000),
  unitCost: cny(40_000),
});

type Recorded = { id: string; streamId: string; position: number; findings: string[] };

const record = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.post('/promises', { customerId, kind: 'other', statement: 'We will send the roadmap.', dueDate: '2026-03-20', ...body }, { headers });
const recorded = async (body: Record<string, unknown>) => {
  const response = await record(body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Recorded;
};
const raised = async (findingId: string) => {
  const [event] = await t.system.eventStore.readStream(findingStreamId(findingId));
  return event!;
};
const firstEvent = async (streamId: string) => (await t.system.eventStore.readStream(streamId))[0]!;
const evidenceOf = (event: RecordedEvent) => ({ streamId: event.streamId, revision: event.revision, hash: event.metadata.hash });

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const sku of ['FW-100', 'IDS-9']) expect((await t.post('/products', product(sku), { role: 'sales_manager' })).statusCode).toBe(201);
  // The seller is certified on FW-100 only, under a manager: findings name both.
  await certifySeller(t, ['FW-100']);
  customerId = (await t.post('/customers', { name: '华东银行', industry: 'finance', region: 'east' })).json().id;
  opportunityId = (await t.post('/opportunities', { customerId, title: 'SOC', ownerId: 'dev-sales-rep', amount: cny(900_000) })).json().id;
});
afterAll(() => t.close());

describe('checks on a recorded promise', () => {
  it('raise nothing for an honest promise, which records the policy revision that judged it', async () => {
    const promise = await recorded({ kind: 'capability', statement: 'FW-100 inspects threats at 5Gbps.', sku: 'FW-100', committed: { capability: '5Gbps threat inspection' } });
    expect(promise.findings).toEqual([]);
    expect(await t.system.eventStore.headPosition()).toBe(promise.position);
    const event = await firstEvent(promise.streamId);
    expect(event.data).toMatchObject({ policyVersion: 1 });
    expect(event.metadata).toMatchObject({ policyVersion: 1, customerId });
  });

  it('raise a finding for a banned claim in Chinese, naming rule, severity, revision, evidence and the people involved', async () => {
    const promise = await recorded({ statement: '我们的防火墙绝对安全，永不被攻破。' });
    const promised = await firstEvent(promise.streamId);
    expect(promise.findings).toEqual([findingIdFor('CMP-01', promised)]);
    const finding = await raised(promise.findings[0]!);
    expect(finding.type).toBe('FindingRaised');
    expect(finding.data).toEqual({
      findingId: promise.findings[0],
      ruleId: 'CMP-01',
      ruleName: 'No absolute or guaranteeing claims',
      severity: 'critical',
      policyRevision: 1,
      detail: expect.stringContaining('绝对安全'),
      evidence: [{ streamId: promise.streamId, revision: 0, hash: promised.metadata.hash }],
      customerId,
      sellerId: 'dev-sales-rep',
      sellerManagerId: 'dev-sales-manager',
      subject: { kind: 'promise', id: promise.id },
      raisedAt: clock.at,
      claims: [
        { category: 'absolute', start: 6, end: 10, text: '绝对安全', matched: { kind: 'phrase', entry: '绝对安全', source: 'claims' } },
        {
          category: 'absolute',
          start: 11,
          end: 16,
          text: '永不被攻破',
          matched: {
            kind: 'structure',
            entry: 'ABS-1',
            name: expect.any(String),
            terms: [
              { role: 'negatedAbsolutes', entry: '永不', start: 11, end: 13, text: '永不' },
              { role: 'breaches', entry: '被攻破', start: 13, end: 16, text: '被攻破' },
            ],
          },
        },
      ],
    });
    expect(finding.metadata).toMatchObject({ actor: { id: 'compliance-checks', role: 'system' }, policyVersion: 1, customerId, causationId: promised.eventId });
  });

  it.each([
    ['a banned claim in English', { statement: 'Honestly, this box is UNHACKABLE.' }, 'CMP-01', 'critical'],
    ['an SLA beyond what the product offers', { kind: 'sla', sku: 'FW-100', statement: 'Four nines.', committed: { availabilityPct: 99.99 } }, 'CMP-03', 'high'],
    ['a capability the catalog does not list', { kind: 'capability', sku: 'FW-100', statement: '10G.', committed: { capability: '10Gbps threat inspection' } }, 'CMP-02', 'high'],
    ['a seller not certified on the product', { kind: 'capability', sku: 'IDS-9', statement: 'IDS-9 inspects at 5G.', committed: { capability: '5Gbps threat inspection' } }, 'CMP-07', 'medium'],
  ])('raise a finding for %s', async (_name, body, ruleId, severity) => {
    const promise = await recorded(body);
    const promised = await firstEvent(promise.streamId);
    expect(promise.findings).toEqual([findingIdFor(ruleId, promised)]);
    expect((await raised(promise.findings[0]!)).data).toMatchObject({ ruleId, severity, policyRevision: 1, evidence: [evidenceOf(promised)] });
  });

  it('raise nothing new for a retry under the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'promise-banned-0001' };
    const first = await record({ statement: '100%防护，零风险' }, headers);
    expect(first.json().findings).toHaveLength(1);
    const head = await t.system.eventStore.headPosition();
    const again = await record({ statement: '100%防护，零风险' }, headers);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('raise the findings of a promise written when the process died before checking it, from the subscriber', async () => {
    const promiseId = newId();
    const streamId = promiseStreamId(promiseId);
    // The pipeline alone, as the promise service runs it before its checks: the process dies between the two.
    const pipeline = new CommandPipeline({ eventStore: t.system.eventStore, clock: t.system.clock, schemas: storedEventSchemas(), personalData: t.system.personalData });
    const command: RecordPromise = { type: 'RecordPromise', promiseId, customerId, kind: 'other', statement: 'Zero risk, guaranteed security.', committed: {}, dueDate: '2026-03-20', madeBy: 'dev-sales-rep' };
    const written = await pipeline.handle({
      aggregate: promiseAggregate,
      id: promiseId,
      command,
      expects: 'new',
      envelope: { commandId: newId(), actor: { id: 'dev-sales-rep', role: 'sales_rep' }, correlationId: 'crashed-before-checks' },
      facts: () => ({ policyVersion: 1 }),
    });
    expect((await t.system.eventStore.readStream(streamId))[0]!.metadata).toMatchObject({ customerId, policyVersion: 1 });
    const findingId = findingIdFor('CMP-01', { streamId, revision: written.revision });
    await expect.poll(async () => (await t.system.eventStore.readStream(findingStreamId(findingId))).map((e) => e.type), { timeout: 5_000 }).toEqual(['FindingRaised']);
    expect((await raised(findingId)).metadata).toMatchObject({ correlationId: 'crashed-before-checks' });
  });
});

describe('checks on a quote being sent', () => {
  const submittedQuote = async (sku: string) => {
    const quote = await t.post('/quotes', { opportunityId, lines: [{ sku, qty: 1, unitPrice: cny(100_000), discountPct: 0 }], validUntil: '2026-03-31T00:00:00Z' });
    expect(quote.statusCode, quote.body).toBe(201);
    const { id, streamId } = quote.json() as { id: string; streamId: string };
    const submitted = await t.post(`/quotes/${id}/submit`, {});
    expect(submitted.json().events).toEqual(['QuoteSubmitted']);
    expect((await t.system.eventStore.readStream(streamId)).at(-1)!.metadata).toMatchObject({ policyVersion: 1 });
    return { id, streamId };
  };

  it('let a quote the policy has nothing against go out, raising nothing', async () => {
    const quote = await submittedQuote('FW-100');
    const sent = await t.post(`/quotes/${quote.id}/send`, {});
    expect(sent.json()).toMatchObject({ events: ['QuoteSent'] });
    expect(await t.system.eventStore.headPosition()).toBe(sent.json().position);
    expect((await t.system.eventStore.readStream(quote.streamId)).at(-1)!.metadata).toMatchObject({ policyVersion: 1 });
  });

  it('refuse the send with 422 naming the rule and the policy version when the rule is a block, appending nothing', async () => {
    const quote = await submittedQuote('IDS-9');
    const head = await t.system.eventStore.headPosition();
    const refused = await t.post(`/quotes/${quote.id}/send`, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      type: '/problems/rule-refused',
      rule: { id: 'CMP-07', name: 'Commit only on products you are certified for' },
      policyVersion: 1,
      detail: expect.stringContaining('IDS-9'),
    });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('let the send go and raise a finding on the QuoteSent when the policy in force only flags the rule', async () => {
    const quote = await submittedQuote('IDS-9');
    const flagging = await t.post(
      '/policy/revisions',
      { ...DEFAULT_POLICY, changeNote: 'Uncertified selling is flagged, not blocked', rules: { ...DEFAULT_POLICY.rules, 'CMP-07': { action: 'flag', severity: 'low' } }, effectiveFrom: clock.at },
      { role: 'compliance_officer' },
    );
    expect(flagging.statusCode, flagging.body).toBe(201);
    const policyRevision = flagging.json().policyRevision as number;

    const headers = { 'idempotency-key': 'send-flagged-0001' };
    const sent = await t.post(`/quotes/${quote.id}/send`, {}, { headers });
    expect(sent.statusCode, sent.body).toBe(200);
    const sentEvent = (await t.system.eventStore.readStream(quote.streamId)).at(-1)!;
    expect(sentEvent.type).toBe('QuoteSent');
    expect(sentEvent.metadata).toMatchObject({ policyVersion: policyRevision });
    const finding = await raised(findingIdFor('CMP-07', sentEvent));
    expect(finding.data).toMatchObject({
      ruleId: 'CMP-07',
      severity: 'low',
      policyRevision,
      evidence: [evidenceOf(sentEvent)],
      sellerId: 'dev-sales-rep',
      sellerManagerId: 'dev-sales-manager',
      customerId,
      subject: { kind: 'quote', id: quote.id },
    });

    // A retry of the send replays it, and its finding with it.
    const head = await t.system.eventStore.headPosition();
    const retried = await t.post(`/quotes/${quote.id}/send`, {}, { headers });
    expect(retried.json()).toEqual(sent.json());
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });
});
