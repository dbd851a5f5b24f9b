import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandPipeline } from '../../application/commandPipeline.js';
import { policyCommands } from '../../application/commands/policyCommands.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { PersonalDataVault } from '../../application/personalData.js';
import { personalDataFields } from '../../domain/aggregates.js';
import { findingStreamId } from '../../domain/compliance/finding.js';
import { AggregateCommands } from '../../application/commands/aggregateCommands.js';
import { DEFAULT_CLAIM_LEXICON } from '../../domain/compliance/claimLexicon.js';
import {
  DEFAULT_POLICY,
  POLICY_ID,
  POLICY_STREAM_ID,
  policyAggregate,
  type Policy,
  type PolicyEvent,
  type PolicyFacts,
  type PublishPolicyRevision,
} from '../../domain/policy/policy.js';
import type { Aggregate } from '../../domain/shared/aggregate.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { loadConfig } from '../../infrastructure/config.js';
import { openKeyStore } from '../../infrastructure/system.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const START = '2026-03-02T09:00:00.000Z';
const clock = { at: START, now() { return this.at; } };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

const revision = (extra: Record<string, unknown> = {}) => ({ ...DEFAULT_POLICY, changeNote: 'Tighter discount authority for reps', effectiveFrom: '2026-04-01T00:00:00.000Z', ...extra });
const publish = (body: unknown, options: { role?: string; headers?: Record<string, string> } = {}) =>
  t.post('/policy/revisions', body, { role: 'compliance_officer', ...options });
const policyEvents = () => t.system.eventStore.readStream(POLICY_STREAM_ID);

describe('the embedded default', () => {
  it('is published as revision 1 at start-up, in force at once, by the system', async () => {
    const response = await t.get('/policy/revisions');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ inForce: 1, items: [{ revision: 1, effectiveFrom: START, publishedBy: 'system', inForce: true, ...DEFAULT_POLICY }] });
    const [event] = await policyEvents();
    expect(event!.metadata).toMatchObject({ actor: { id: 'system', role: 'admin' }, occurredAt: START });
  });

  it('is published once when processes start together, and not again on a later start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-policy-'));
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const keyStore = await openKeyStore(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
    try {
      const process = () =>
        policyCommands(new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) }), eventStore, 366, clock);
      await Promise.all([process().publishDefault(), process().publishDefault()]);
      await process().publishDefault();
      expect((await eventStore.readStream(POLICY_STREAM_ID)).map((e) => (e.data as { revision: number }).revision)).toEqual([1]);
    } finally {
      await keyStore.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the claim lexicon, for a store whose policy was published before revisions carried one', () => {
  /** The decision of the version before: a revision without a claims section, as such a store holds it. */
  const withoutClaims: Aggregate<Policy, PublishPolicyRevision, PolicyEvent, PolicyFacts> = {
    ...policyAggregate,
    decider: {
      ...policyAggregate.decider,
      decide: (command, state, context) => {
        const { type: _type, claims: _claims, ...content } = command;
        return [{ type: 'PolicyRevisionPublished', data: { revision: state.revisions.length + 1, ...content, publishedBy: context.actor.id } }];
      },
    },
  };

  const horizon = () => ({ planningHorizon: { days: 366, endsAt: '2027-03-03T09:00:00.000Z' } });

  it('is published once, as a new revision carrying the one in force and the default lexicon, when processes start together, and not again later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-lexicon-'));
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const keyStore = await openKeyStore(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
    const at = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
    try {
      const pipeline = () => new CommandPipeline({ eventStore, clock: at, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) });
      const { claims: _claims, ...oldDefault } = DEFAULT_POLICY;
      await new AggregateCommands(pipeline(), withoutClaims).create(
        POLICY_ID,
        { type: 'PublishPolicyRevision', ...oldDefault, discountAuthority: { ...oldDefault.discountAuthority, sales_rep: 5 }, effectiveFrom: at.at },
        { commandId: 'an earlier version', actor: { id: 'system', role: 'admin' }, correlationId: 'an earlier version' },
        { facts: horizon },
      );
      at.at = '2026-03-05T09:00:00.000Z';
      const process = () => policyCommands(pipeline(), eventStore, 366, at);
      const published = await Promise.all([process().publishClaimLexicon(), process().publishClaimLexicon()]);
      expect(published).toEqual([2, 2]);
      expect(await process().publishClaimLexicon()).toBeUndefined();
      const revisions = (await eventStore.readStream(POLICY_STREAM_ID)).map((event) => event.data as Record<string, unknown>);
      expect(revisions.map(({ revision, claims }) => [revision, claims !== undefined])).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(revisions[1]).toMatchObject({ effectiveFrom: at.at, publishedBy: 'system', claims: DEFAULT_CLAIM_LEXICON, discountAuthority: { sales_rep: 5 }, changeNote: expect.stringContaining('Revision 1 again') });
    } finally {
      await keyStore.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not published over a revision still scheduled, which would take effect before it (POL-03); revisions without one are judged by the default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-lexicon-'));
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const keyStore = await openKeyStore(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
    const at = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
    try {
      const pipeline = new CommandPipeline({ eventStore, clock: at, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) });
      const { claims: _claims, ...oldDefault } = DEFAULT_POLICY;
      const old = new AggregateCommands(pipeline, withoutClaims);
      const envelope = (commandId: string) => ({ commandId, actor: { id: 'system', role: 'admin' }, correlationId: commandId });
      await old.create(POLICY_ID, { type: 'PublishPolicyRevision', ...oldDefault, effectiveFrom: at.at }, envelope('first'), { facts: horizon });
      await old.act(POLICY_ID, { type: 'PublishPolicyRevision', ...oldDefault, effectiveFrom: '2026-06-01T00:00:00.000Z' }, envelope('scheduled'), { facts: horizon });
      expect(await policyCommands(pipeline, eventStore, 366, at).publishClaimLexicon()).toBeUndefined();
      expect(await eventStore.readStream(POLICY_STREAM_ID)).toHaveLength(2);
    } finally {
      await keyStore.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not published for a store whose policy already carries one', async () => {
    expect(await t.system.commands.policy.publishClaimLexicon()).toBeUndefined();
  });
});

describe('publishing a revision', () => {
  it('numbers it after the last, keeps the one in force until its date, and reads it back by number', async () => {
    const body = revision({ discountAuthority: { ...DEFAULT_POLICY.discountAuthority, sales_rep: 5 } });
    const response = await publish(body);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: '2', policyRevision: 2, streamId: POLICY_STREAM_ID, revision: 1, position: expect.any(Number), events: ['PolicyRevisionPublished'] });
    expect(response.headers.etag).toBe('"1"');

    const listed = (await t.get('/policy/revisions', { role: 'analyst' })).json();
    expect(listed.inForce).toBe(1);
    expect(listed.items.map((r: { revision: number; inForce: boolean }) => [r.revision, r.inForce])).toEqual([
      [1, true],
      [2, false],
    ]);
    const second = await t.get('/policy/revisions/2', { role: 'sales_rep' });
    expect(second.json()).toMatchObject({
      revision: 2,
      effectiveFrom: '2026-04-01T00:00:00.000Z',
      changeNote: 'Tighter discount authority for reps',
      discountAuthority: { sales_rep: 5 },
      publishedBy: 'dev-compliance-officer',
      inForce: false,
    });

    const before = clock.at;
    clock.at = '2026-04-01T00:00:00.000Z';
    try {
      expect((await t.get('/policy/revisions/2')).json().inForce).toBe(true);
      expect((await t.get('/policy/revisions')).json().inForce).toBe(2);
    } finally {
      clock.at = before;
    }
  });

  it('answers a retry under the same Idempotency-Key with the first answer, publishing once', async () => {
    const headers = { 'idempotency-key': 'policy-publish-0001' };
    const body = revision({ changeNote: 'Same again', effectiveFrom: '2026-05-01T00:00:00.000Z' });
    const first = await publish(body, { headers });
    const again = await publish(body, { headers });
    expect(first.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await policyEvents()).filter((e) => (e.data as { changeNote: string }).changeNote === 'Same again')).toHaveLength(1);
  });

  it('is for the compliance office and admins: a rep or a manager gets 403', async () => {
    expect((await publish(revision(), { role: 'sales_manager' })).statusCode).toBe(403);
    expect((await publish(revision(), { role: 'sales_rep' })).statusCode).toBe(403);
    expect((await publish(revision({ changeNote: 'By an admin', effectiveFrom: '2026-06-01T00:00:00.000Z' }), { role: 'admin' })).statusCode).toBe(201);
  });

  it('takes an effective date with an offset, kept as UTC', async () => {
    const response = await publish(revision({ changeNote: 'Said in Beijing time', effectiveFrom: '2026-07-01T08:00:00+08:00' }));
    expect(response.statusCode, response.body).toBe(201);
    expect((await t.get(`/policy/revisions/${response.json().policyRevision}`)).json().effectiveFrom).toBe('2026-07-01T00:00:00.000Z');
  });

  it('answers 404 for a revision never published', async () => {
    expect((await t.get('/policy/revisions/99')).json()).toMatchObject({ status: 404, resource: 'Policy revision', id: '99' });
    expect((await t.get('/policy/revisions/0')).statusCode).toBe(400);
  });
});

describe('bad input', () => {
  const fieldsOf = (response: { json: () => { errors: { field: string }[] } }) => response.json().errors.map((e) => e.field);
  const withPattern = (pattern: string) => revision({ bannedClaims: { phrases: ['绝对安全'], patterns: [{ pattern: '永不宕机' }, { pattern }] } });

  it('answers 400 field by field for a pattern RE2 does not support or that does not compile, appending nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const lookbehind = await publish(withPattern('(?<!不)安全'));
    expect(lookbehind.statusCode).toBe(400);
    expect(lookbehind.json()).toMatchObject({ type: '/problems/invalid-input' });
    expect(fieldsOf(lookbehind)).toEqual(['bannedClaims.patterns.1.pattern']);
    expect(lookbehind.json().errors[0].message).toMatch(/^POL-05: Pattern \(\?<!不\)安全: the pattern uses lookbehind, .* which is not supported: patterns run on RE2/);

    const broken = await publish(withPattern('(['));
    expect(broken.statusCode).toBe(400);
    expect(fieldsOf(broken)).toEqual(['bannedClaims.patterns.1.pattern']);
    expect(broken.json().errors[0].message).toMatch(/does not compile/);
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 400 for an effective date in the past, appending nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const past = await publish(revision({ effectiveFrom: '2026-03-01T00:00:00.000Z' }));
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({ type: '/problems/invalid-input', errors: [{ field: 'effectiveFrom', code: 'POL-02' }] });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 422 for an effective date beyond the planning horizon, naming the rule and the latest date allowed, appending nothing', async () => {
    const head = await t.system.eventStore.headPosition();
    const far = await publish(revision({ effectiveFrom: '9999-12-31T23:59:59.999Z' }));
    expect(far.statusCode).toBe(422);
    expect(far.json()).toMatchObject({
      type: '/problems/rule-refused',
      rule: { id: 'POL-08', name: 'A revision takes effect within the planning horizon' },
      // 366 days from 2026-03-02T09:00Z, the default POLICY_HORIZON_DAYS.
      detail: expect.stringContaining('after 2027-03-03T09:00:00.000Z, the latest allowed'),
    });
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });

  it('answers 400 for a revision that does not parse: a missing rule, an unknown field, a percentage out of range', async () => {
    const head = await t.system.eventStore.headPosition();
    const { 'CMP-09': _dropped, ...rules } = DEFAULT_POLICY.rules;
    expect(fieldsOf(await publish(revision({ rules })))).toEqual(['rules.CMP-09']);
    expect((await publish(revision({ surprise: true }))).statusCode).toBe(400);
    expect(fieldsOf(await publish(revision({ discountAuthority: { sales_rep: 120 } })))).toEqual(['discountAuthority.sales_rep']);
    expect(fieldsOf(await publish(revision({ effectiveFrom: 'next week' })))).toContain('effectiveFrom');
    expect(await t.system.eventStore.headPosition()).toBe(head);
  });
});

describe('the planning horizon', () => {
  it('is POLICY_HORIZON_DAYS after now', async () => {
    const short = await startTestApp({ clock, env: { POLICY_HORIZON_DAYS: '30' } });
    try {
      const at = (effectiveFrom: string) => short.post('/policy/revisions', revision({ effectiveFrom }), { role: 'compliance_officer' });
      expect((await at('2026-04-01T09:00:00.001Z')).json()).toMatchObject({ status: 422, rule: { id: 'POL-08' }, detail: expect.stringContaining('within 30 days') });
      expect((await at('2026-04-01T09:00:00.000Z')).statusCode).toBe(201);
    } finally {
      await short.close();
    }
  });
});

describe('superseding a scheduled revision', () => {
  const at = { at: START, now() { return this.at; } };
  let s: TestApp;
  beforeAll(async () => {
    s = await startTestApp({ clock: at });
  });
  afterAll(() => s.close());
  const publishOn = (body: unknown) => s.post('/policy/revisions', body, { role: 'compliance_officer' });
  const flagAbsoluteClaims = (severity: string) => ({ ...DEFAULT_POLICY.rules, 'CMP-01': { action: 'flag', severity } });
  const SCHEDULED = '2026-06-01T00:00:00.000Z';

  it('lets a correction replace a revision before it takes effect; the replaced one is never in force, and each names the other', async () => {
    const mistaken = await publishOn(revision({ changeNote: 'Absolute claims are a low-severity flag', effectiveFrom: SCHEDULED, rules: flagAbsoluteClaims('low') }));
    expect(mistaken.json().policyRevision).toBe(2);
    // Without superseding it, nothing may take effect before it.
    const blocked = await publishOn(revision({ changeNote: 'Absolute claims are a high-severity flag', effectiveFrom: START, rules: flagAbsoluteClaims('high') }));
    expect(blocked.json()).toMatchObject({ status: 422, rule: { id: 'POL-03' }, detail: expect.stringContaining('supersede revision 2') });

    const correction = await publishOn(
      revision({ changeNote: 'Absolute claims are a high-severity flag', effectiveFrom: SCHEDULED, rules: flagAbsoluteClaims('high'), supersedes: [2] }),
    );
    expect(correction.statusCode, correction.body).toBe(201);
    expect(correction.json().policyRevision).toBe(3);

    const listed = (await s.get('/policy/revisions', { role: 'auditor' })).json();
    expect(listed.items.map((r: { revision: number; supersedes: number[]; supersededBy: number | null }) => [r.revision, r.supersedes, r.supersededBy])).toEqual([
      [1, [], null],
      [2, [], 3],
      [3, [2], null],
    ]);
    expect((await s.get('/policy/revisions/2')).json()).toMatchObject({ revision: 2, supersededBy: 3, inForce: false });
  });

  it('refuses to supersede the revision in force, one already superseded, or one never published, with 422 POL-09, appending nothing', async () => {
    const head = await s.system.eventStore.headPosition();
    for (const [supersedes, detail] of [
      [[1], 'Revision 1 took effect'],
      [[2], 'Revision 2 was already superseded by revision 3'],
      [[9], 'There is no revision 9 to supersede'],
    ] as const) {
      const refused = await publishOn(revision({ effectiveFrom: SCHEDULED, supersedes }));
      expect(refused.json()).toMatchObject({ status: 422, type: '/problems/rule-refused', rule: { id: 'POL-09' }, detail: expect.stringContaining(detail) });
    }
    expect(await s.system.eventStore.headPosition()).toBe(head);
  });

  it('judges what happens after the superseded date by the revision that superseded it, in checks and in views', async () => {
    at.at = '2026-06-02T09:00:00.000Z';
    expect((await s.get('/policy/revisions')).json().inForce).toBe(3);
    expect((await s.get('/views/pipeline/forecast', { role: 'analyst' })).json().policyRevision).toBe(3);

    const customerId = (await s.post('/customers', { name: '华东银行', industry: 'finance', region: 'east' })).json().id;
    const promise = await s.post('/promises', { customerId, kind: 'other', statement: '我们的产品绝对安全', dueDate: '2026-07-01' });
    expect(promise.statusCode, promise.body).toBe(201);
    const [findingId] = promise.json().findings;
    const [finding] = await s.system.eventStore.readStream(findingStreamId(findingId));
    expect(finding!.data).toMatchObject({ ruleId: 'CMP-01', severity: 'high', policyRevision: 3 });
    const [recorded] = await s.system.eventStore.readStream(promise.json().streamId);
    expect(recorded!.metadata.policyVersion).toBe(3);
  });
});
