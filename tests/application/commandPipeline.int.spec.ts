import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandPipeline, type CommandEnvelope } from '../../application/commandPipeline.js';
import { ConcurrencyConflict, IdempotencyKeyReused, NotFound, PreconditionFailed, RuleRefused } from '../../application/errors.js';
import { verifyChain } from '../../application/eventIntegrity.js';
import type { Clock } from '../../application/ports/clock.js';
import { customerAggregate, type CustomerCommand } from '../../domain/customer/customer.js';
import { promiseAggregate, type RecordPromise } from '../../domain/promise/promise.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { PersonalDataVault } from '../../application/personalData.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { personalDataFields } from '../../domain/aggregates.js';
import { EnvelopeKeyStore } from '../../application/keys/envelopeKeyStore.js';
import { DEVELOPMENT_MASTER_KEY } from '../../infrastructure/config.js';
import { SqliteKeyStore } from '../../infrastructure/keystore/sqlite/sqliteKeyStore.js';

const clock: Clock = { now: () => '2026-11-27T10:00:00.000Z' };
let store: SqliteEventStore;
let pipeline: CommandPipeline;
const personalData = new PersonalDataVault(await EnvelopeKeyStore.open(SqliteKeyStore.open(':memory:'), { current: DEVELOPMENT_MASTER_KEY, previous: [] }), personalDataFields);

beforeEach(() => {
  store = SqliteEventStore.open(':memory:');
  pipeline = new CommandPipeline({ eventStore: store, clock, schemas: storedEventSchemas(), personalData });
});
afterEach(() => store.close());

const envelope = (commandId: string, extra: Partial<CommandEnvelope> = {}): CommandEnvelope => ({
  commandId,
  actor: { id: 'rep-7', role: 'sales_rep' },
  correlationId: `corr-${commandId}`,
  ...extra,
});

const run = (command: CustomerCommand, env: CommandEnvelope, expects: 'new' | 'existing' = 'existing', on = pipeline) =>
  on.handle({ aggregate: customerAggregate, id: 'c1', command, expects, envelope: env });

const register: CustomerCommand = { type: 'RegisterCustomer', customerId: 'c1', name: 'Acme', industry: 'finance', region: 'east' };
const call = (n: number): CustomerCommand => ({ type: 'RecordInteraction', interactionId: `i${n}`, kind: 'call', note: `call ${n}` });

describe('the command pipeline', () => {
  it('appends the decided events with metadata from the envelope and the clock, chained by hash', async () => {
    await run(register, envelope('k1'), 'new');
    const result = await run(call(1), envelope('k2'));
    expect(result).toMatchObject({ streamId: 'customer-c1', revision: 1, events: ['InteractionRecorded'], replayed: false });
    const events = await store.readStream('customer-c1');
    expect(events[1]!.metadata).toMatchObject({
      commandId: 'k2',
      correlationId: 'corr-k2',
      causationId: 'k2',
      actor: { id: 'rep-7', role: 'sales_rep' },
      occurredAt: '2026-11-27T10:00:00.000Z',
      prevHash: events[0]!.metadata.hash,
    });
    expect(verifyChain(events)).toMatchObject({ intact: true, events: 2 });
  });

  it("records on every event the customer the aggregate belongs to, its first event included, and the policy revision its facts name", async () => {
    await run(register, envelope('k1'), 'new');
    expect((await store.readStream('customer-c1'))[0]!.metadata).toMatchObject({ customerId: 'c1' });

    const record: RecordPromise = { type: 'RecordPromise', promiseId: 'p1', customerId: 'c1', kind: 'other', statement: 'A named engineer', committed: {}, dueDate: '2026-12-31', madeBy: 'rep-7' };
    await pipeline.handle({ aggregate: promiseAggregate, id: 'p1', command: record, expects: 'new', envelope: envelope('k2'), facts: () => ({ policyVersion: 4 }), metadata: { note: 'extra' } });
    const [recorded] = await store.readStream('promise-p1');
    expect(recorded!.metadata).toMatchObject({ customerId: 'c1', policyVersion: 4, note: 'extra' });
    expect(recorded!.data).toMatchObject({ policyVersion: 4 });

    await pipeline.handle({ aggregate: promiseAggregate, id: 'p1', command: { type: 'FulfilPromise', evidence: 'done' }, expects: 'existing', envelope: envelope('k3') });
    const [, fulfilled] = await store.readStream('promise-p1');
    expect(fulfilled!.metadata).toMatchObject({ customerId: 'c1' });
    expect(fulfilled!.metadata).not.toHaveProperty('policyVersion');
  });

  it('replays a command already in the stream instead of deciding again', async () => {
    await run(register, envelope('k1', { requestHash: 'h1' }), 'new');
    const again = await run(register, envelope('k1', { requestHash: 'h1' }), 'new');
    expect(again).toMatchObject({ revision: 0, replayed: true, events: ['CustomerRegistered'] });
    await expect(run(register, envelope('k1', { requestHash: 'h2' }), 'new')).rejects.toBeInstanceOf(IdempotencyKeyReused);
    expect(await store.readStream('customer-c1')).toHaveLength(1);
  });

  it('refuses by rule, for a missing stream, and for a stale If-Match, appending nothing', async () => {
    await expect(run(call(1), envelope('k0'))).rejects.toBeInstanceOf(NotFound);
    await run(register, envelope('k1'), 'new');
    await expect(run(call(1), envelope('k2', { ifMatch: 5 }))).rejects.toBeInstanceOf(PreconditionFailed);
    const refused = run({ ...register }, envelope('k3'), 'existing');
    await expect(refused).rejects.toBeInstanceOf(RuleRefused);
    expect(await store.readStream('customer-c1')).toHaveLength(1);
  });

  it('decides again on a conflict and lands every command that stays valid', async () => {
    // Thirty writers on one stream: the last to land may lose a round to each of the others, so it gets room for that.
    const patient = new CommandPipeline({ eventStore: store, clock, schemas: storedEventSchemas(), personalData, maxAttempts: 50 });
    await run(register, envelope('k1'), 'new');
    const results = await Promise.all(Array.from({ length: 30 }, (_, n) => run(call(n), envelope(`c${n}`), 'existing', patient)));
    expect(results.map((r) => r.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n + 1));
    expect(verifyChain(await store.readStream('customer-c1'))).toMatchObject({ intact: true, events: 31 });
  });

  it('gives up with a concurrency conflict after its attempts, and an If-Match loser gets 412 not a retry', async () => {
    const once = new CommandPipeline({ eventStore: store, clock, schemas: storedEventSchemas(), personalData, maxAttempts: 1 });
    await run(register, envelope('k1'), 'new');
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => run(call(n), envelope(`c${n}`), 'existing', once)));
    const rejected = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((o) => o.reason instanceof ConcurrencyConflict)).toBe(true);

    const revision = (await store.readStream('customer-c1')).length - 1;
    const guarded = await Promise.allSettled(Array.from({ length: 5 }, (_, n) => run(call(100 + n), envelope(`g${n}`, { ifMatch: revision }))));
    expect(guarded.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(guarded.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof PreconditionFailed)).toBe(true);
  });
});
