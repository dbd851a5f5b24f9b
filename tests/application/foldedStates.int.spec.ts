import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customerHistory } from '../../application/audit/customerHistory.js';
import { CommandPipeline, type CommandEnvelope } from '../../application/commandPipeline.js';
import { IdempotencyKeyReused } from '../../application/errors.js';
import { verifyChain } from '../../application/eventIntegrity.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { FoldedStates, foldedStatesOf } from '../../application/foldedStates.js';
import { EnvelopeKeyStore } from '../../application/keys/envelopeKeyStore.js';
import { PersonalDataVault } from '../../application/personalData.js';
import type { Clock } from '../../application/ports/clock.js';
import { WrongExpectedRevision, type EventStore, type ReadStreamOptions } from '../../application/ports/eventStore.js';
import { repCommands } from '../../application/commands/repCommands.js';
import { rosterRefusal } from '../../application/roster.js';
import { personalDataFields } from '../../domain/aggregates.js';
import { customerAggregate, type CustomerCommand } from '../../domain/customer/customer.js';
import { DEVELOPMENT_MASTER_KEY } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteKeyStore } from '../../infrastructure/keystore/sqlite/sqliteKeyStore.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/** The event store, recording each stream read: which stream, from which revision. */
const recordingReads = (inner: EventStore) => {
  const reads: { streamId: string; fromRevision: number | undefined }[] = [];
  const recorder = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'readStream') return Reflect.get(target, property, receiver);
      return (streamId: string, options: ReadStreamOptions = {}) => {
        reads.push({ streamId, fromRevision: options.fromRevision });
        return target.readStream(streamId, options);
      };
    },
  });
  return { recorder, reads };
};

const clock: Clock & { at: string } = { at: '2026-11-27T10:00:00.000Z', now: () => clock.at };
const personalData = new PersonalDataVault(await EnvelopeKeyStore.open(SqliteKeyStore.open(':memory:'), { current: DEVELOPMENT_MASTER_KEY, previous: [] }), personalDataFields);
const envelope = (commandId: string, requestHash?: string): CommandEnvelope => ({
  commandId,
  ...(requestHash ? { requestHash } : {}),
  actor: { id: 'rep-7', role: 'sales_rep' },
  correlationId: `corr-${commandId}`,
});
const register: CustomerCommand = { type: 'RegisterCustomer', customerId: 'c1', name: 'Acme', industry: 'finance', region: 'east' };
const call = (n: number): CustomerCommand => ({ type: 'RecordInteraction', interactionId: `i${n}`, kind: 'call', note: `call ${n}` });
const STREAM = 'customer-c1';

let store: SqliteEventStore;
let pipeline: CommandPipeline;
let reads: { streamId: string; fromRevision: number | undefined }[];
let recorder: EventStore;
const run = (command: CustomerCommand, env: CommandEnvelope, expects: 'new' | 'existing' = 'existing') =>
  pipeline.handle({ aggregate: customerAggregate, id: 'c1', command, expects, envelope: env });
/** Forgets every state kept, as a process that has just started. */
const cold = () => foldedStatesOf(recorder).clear();

beforeEach(() => {
  store = SqliteEventStore.open(':memory:');
  ({ recorder, reads } = recordingReads(store));
  pipeline = new CommandPipeline({ eventStore: recorder, clock, schemas: storedEventSchemas(), personalData });
});
afterEach(() => store.close());

describe('the folded state cache', () => {
  it('brings a kept state up to date by reading only the events after its revision; a cold one reads the stream from its start', async () => {
    await run(register, envelope('k1'), 'new');
    for (let n = 1; n <= 3; n++) await run(call(n), envelope(`call-${n}`));
    // Registering finds no stream to keep; the first call folds it whole; each call after reads what the one before appended.
    expect(reads.map((r) => r.fromRevision)).toEqual([undefined, undefined, 1, 2]);
    reads.length = 0;
    await run(call(4), envelope('call-4'));
    expect(reads).toEqual([{ streamId: STREAM, fromRevision: 3 }]);
    const warm = await foldedStatesOf(recorder).load(customerAggregate.decider, STREAM);

    cold();
    reads.length = 0;
    await run(call(5), envelope('call-5'));
    expect(reads).toEqual([{ streamId: STREAM, fromRevision: undefined }]);
    expect(warm.state).toMatchObject({ interactions: 4 });
    expect((await foldedStatesOf(recorder).load(customerAggregate.decider, STREAM)).state).toMatchObject({ interactions: 5 });
  });

  it('keeps at most its capacity, dropping the least recently used; 0 keeps none', async () => {
    const states = new FoldedStates(recorder, 2);
    for (const id of ['a', 'b', 'c']) {
      await store.append(`customer-${id}`, [{ eventId: `e-${id}`, type: 'CustomerRegistered', data: { customerId: id, name: id, industry: 'x', region: 'y' }, metadata: {} }], { expectedRevision: 'no_stream' });
    }
    for (const id of ['a', 'b', 'a', 'c']) await states.load(customerAggregate.decider, `customer-${id}`);
    expect(states.size).toBe(2);
    reads.length = 0;
    for (const id of ['a', 'c', 'b']) await states.load(customerAggregate.decider, `customer-${id}`);
    expect(reads.map((r) => [r.streamId, r.fromRevision])).toEqual([
      ['customer-a', 1],
      ['customer-c', 1],
      ['customer-b', undefined],
    ]);

    const none = new FoldedStates(recorder, 0);
    await none.load(customerAggregate.decider, 'customer-a');
    expect(none.size).toBe(0);
  });

  it('shares a state no one can change in place', async () => {
    await run(register, envelope('k1'), 'new');
    const { state } = await foldedStatesOf(recorder).load(customerAggregate.decider, STREAM);
    expect(Object.isFrozen(state)).toBe(true);
    expect(state.status).toBe('registered');
    if (state.status === 'registered') expect(() => (state.contactIds as string[]).push('smuggled')).toThrow(TypeError);
  });

  it('folds again from the first event a stream that an append found not past the revision kept, and catches up one that moved on', async () => {
    await run(register, envelope('k1'), 'new');
    await run(call(1), envelope('call-1'));
    const states = foldedStatesOf(recorder);
    states.refused(new WrongExpectedRevision(STREAM, 1, 3));
    reads.length = 0;
    await states.load(customerAggregate.decider, STREAM);
    expect(reads).toEqual([{ streamId: STREAM, fromRevision: 1 }]);
    for (const actual of [0, 'no_stream'] as const) {
      states.refused(new WrongExpectedRevision(STREAM, 1, actual));
      reads.length = 0;
      await states.load(customerAggregate.decider, STREAM);
      expect(reads).toEqual([{ streamId: STREAM, fromRevision: undefined }]);
    }
  });
});

describe('commands on a cached state, warm and cold', () => {
  it('chain each event to the one before it, whoever appended it', async () => {
    await run(register, envelope('k1'), 'new');
    await run(call(1), envelope('call-1'));
    // Another writer (a second pipeline, as another process would be) appends behind this one's kept state.
    const elsewhere = new CommandPipeline({ eventStore: store, clock, schemas: storedEventSchemas(), personalData });
    await elsewhere.handle({ aggregate: customerAggregate, id: 'c1', command: call(2), expects: 'existing', envelope: envelope('call-2') });
    await run(call(3), envelope('call-3'));
    cold();
    await run(call(4), envelope('call-4'));
    const events = await store.readStream(STREAM);
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(events[3]!.metadata.prevHash).toBe(events[2]!.metadata.hash);
    expect(verifyChain(events)).toMatchObject({ intact: true, events: 5 });
    expect((await foldedStatesOf(recorder).load(customerAggregate.decider, STREAM)).state).toMatchObject({ interactions: 4 });
  });

  it('answer a retried command with its first result, found by its id without reading the stream again, warm and cold', async () => {
    await run(register, envelope('k1'), 'new');
    const first = await run(call(1), envelope('retried', 'h1'));
    for (let n = 2; n <= 4; n++) await run(call(n), envelope(`call-${n}`));
    for (const state of ['warm', 'cold'] as const) {
      if (state === 'cold') cold();
      reads.length = 0;
      const again = await run(call(1), envelope('retried', 'h1'));
      expect(again, state).toEqual({ ...first, replayed: true });
      expect(reads, state).toEqual([{ streamId: STREAM, fromRevision: state === 'warm' ? 4 : undefined }]);
      await expect(run(call(9), envelope('retried', 'h2'))).rejects.toBeInstanceOf(IdempotencyKeyReused);
    }
    expect(await store.readStream(STREAM)).toHaveLength(5);
  });

  it('leave the replay as of a moment exactly as it was', async () => {
    const moments: string[] = [];
    clock.at = '2026-11-27T10:00:00.000Z';
    await run(register, envelope('k1'), 'new');
    for (let n = 1; n <= 4; n++) {
      clock.at = `2026-11-27T1${n}:00:00.000Z`;
      await run(call(n), envelope(`call-${n}`));
      moments.push(clock.at);
    }
    const warm = await Promise.all(moments.map((asOf) => customerHistory(recorder, 'c1', [], asOf)));
    cold();
    const coldHistories = await Promise.all(moments.map((asOf) => customerHistory(recorder, 'c1', [], asOf)));
    expect(coldHistories).toEqual(warm);
    expect(warm.map((h) => (h.aggregates[STREAM] as { interactions: number }).interactions)).toEqual([1, 2, 3, 4]);
  });
});

describe('the roster gate', () => {
  it("reads only what the seller's stream gained since it last looked: nothing, once it is up to date", async () => {
    const admin = { commandId: 'hire', actor: { id: 'boss', role: 'admin' }, correlationId: 'hire' };
    await repCommands(pipeline, () => []).hire({ actorId: 'rep-7', name: 'Rep 7', team: 'east', role: 'sales_rep' }, admin);
    const seller = { id: 'rep-7', role: 'sales_rep' };
    expect(await rosterRefusal(recorder, seller)).toBeUndefined();
    reads.length = 0;
    for (let i = 0; i < 3; i++) expect(await rosterRefusal(recorder, seller)).toBeUndefined();
    expect(reads).toEqual(Array.from({ length: 3 }, () => ({ streamId: 'rep-rep-7', fromRevision: 1 })));
  });
});

describe('two systems on one data folder', () => {
  let a: TestApp;
  let b: TestApp;
  let customerId: string;
  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ dataDir: a.dataDir, roster: false });
    const registered = await a.post('/customers', { name: 'Shared Bank', industry: 'finance', region: 'east' });
    customerId = registered.json().id;
  });
  afterAll(async () => {
    // b's folder is a's: a removes it.
    await b.app.close();
    await b.system.close();
    await a.close();
  });

  const ok = async (t: TestApp, url: string, body: unknown, role = 'sales_rep') => {
    const response = await t.post(url, body, { role });
    expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(300);
    return response.json() as { position: number; revision: number };
  };
  const customerState = (t: TestApp) => foldedStatesOf(t.system.eventStore).load(customerAggregate.decider, `customer-${customerId}`);

  it("see each other's appends: a command on a warm state lands after the other's event and chains to it", async () => {
    await ok(a, `/customers/${customerId}/interactions`, { kind: 'call', note: 'from a' });
    expect((await customerState(a)).state).toMatchObject({ interactions: 1 });
    const fromB = await ok(b, `/customers/${customerId}/interactions`, { kind: 'visit', note: 'from b' });
    const fromA = await ok(a, `/customers/${customerId}/interactions`, { kind: 'demo', note: 'from a again' });
    expect(fromA.revision).toBe(fromB.revision + 1);
    expect((await customerState(a)).state).toMatchObject({ interactions: 3 });
    const events = await a.system.eventStore.readStream(`customer-${customerId}`);
    expect(verifyChain(events)).toMatchObject({ intact: true });
    expect(events.at(-1)!.metadata.prevHash).toBe(events.at(-2)!.metadata.hash);
  });

  it("keep nothing of a contact readable once the other erased the customer, and refuse new personal data at once, warm and cold", async () => {
    const contact = { name: 'Qian Hua', phone: '+86 139 0000 4242', email: 'qian.hua@shared.example', title: 'CISO' };
    await ok(a, `/customers/${customerId}/contacts`, contact);
    const reporter = { name: 'Sun Li', phone: '+86 139 0000 1717' };
    await ok(a, '/complaints', { customerId, channel: 'phone', category: 'service', severity: 'low', summary: 'Slow answers', reporter });
    const warmBefore = await customerState(a);
    expect(warmBefore.state).toMatchObject({ personalDataErased: false });

    await ok(b, `/customers/${customerId}/erase`, { reason: 'data subject request' }, 'compliance_officer');
    for (const state of ['warm', 'cold'] as const) {
      if (state === 'cold') foldedStatesOf(a.system.eventStore).clear();
      const again = await a.post(`/customers/${customerId}/contacts`, { name: 'Zhou Yi', phone: '+86 139 0000 5353' });
      expect(again.json(), state).toMatchObject({ status: 422, rule: { id: 'CUS-10' } });
      const complaint = await a.post('/complaints', { customerId, channel: 'phone', category: 'service', severity: 'low', summary: 'Again', reporter: { name: 'Wu Bo' } });
      expect(complaint.json(), state).toMatchObject({ status: 422, rule: { id: 'CPL-22' } });
      const kept = JSON.stringify((await customerState(a)).state);
      expect(JSON.parse(kept), state).toMatchObject({ personalDataErased: true });
      for (const plain of [...Object.values(contact), ...Object.values(reporter)]) expect(kept.includes(plain), `${plain} (${state})`).toBe(false);
    }
  });

  it("turn a seller away at the roster gate as soon as the other offboarded them, warm and cold", async () => {
    expect((await a.post('/customers', { name: 'Before', industry: 'retail', region: 'east' })).statusCode).toBe(201);
    await ok(b, '/reps/dev-sales-rep/offboard', { reason: 'left the company' }, 'sales_manager');
    expect((await a.post('/customers', { name: 'Warm', industry: 'retail', region: 'east' })).json()).toMatchObject({ status: 403, rule: { id: 'REP-04' } });
    foldedStatesOf(a.system.eventStore).clear();
    expect((await a.post('/customers', { name: 'Cold', industry: 'retail', region: 'east' })).json()).toMatchObject({ status: 403, rule: { id: 'REP-04' } });
    await ok(b, '/reps/dev-sales-rep/reinstate', { reason: 'came back' }, 'admin');
    expect((await a.post('/customers', { name: 'Back', industry: 'retail', region: 'east' })).statusCode).toBe(201);
  });
});
