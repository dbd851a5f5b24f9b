import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandPipeline, type CommandEnvelope } from '../../application/commandPipeline.js';
import { AggregateCommands } from '../../application/commands/aggregateCommands.js';
import { findingIdFor } from '../../application/compliance/complianceChecks.js';
import { DeadlineWatcher, deadlineCommandId, type Deadline } from '../../application/deadlines/deadlineWatcher.js';
import { PROMISE_OVERDUE, promiseOverdue } from '../../application/deadlines/promiseOverdue.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { newId } from '../../application/ids.js';
import { PersonalDataVault } from '../../application/personalData.js';
import type { RecordedEvent } from '../../application/ports/eventStore.js';
import { findingStreamId } from '../../domain/compliance/finding.js';
import { personalDataFields } from '../../domain/aggregates.js';
import { promiseAggregate, promiseStreamId } from '../../domain/promise/promise.js';
import { loadConfig } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { openKeyStore, openSystem, type System } from '../../infrastructure/system.js';
import { DEADLINES } from '../../projections/deadlines/deadlinesProjection.js';

const clock = { at: '2026-03-02T09:00:00.000Z', now() { return this.at; } };
const logger = pino({ level: 'silent' });
const rep = (): CommandEnvelope => ({ commandId: newId(), actor: { id: 'rep-1', role: 'sales_rep' }, correlationId: 'overdue-test' });

let dir: string;
let system: System;
const customerId = newId();

/** The system as a process would open it, with the interval loop held so the test drives tick(). */
const open = async () => {
  const opened = await openSystem({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger, clock });
  await opened.deadlines.stop();
  return opened;
};

const promiseDue = async (dueDate: string) => {
  const promiseId = newId();
  await system.commands.promises.record({ promiseId, customerId, kind: 'other', statement: 'We will send the roadmap.', committed: {}, dueDate, madeBy: 'rep-1' }, rep());
  return promiseId;
};

const viewCaughtUp = async () => {
  const head = await system.eventStore.headPosition();
  expect(await system.runner.waitFor([DEADLINES], head ?? 0, 5_000)).toBe(true);
};

const overdueEvents = async (promiseId: string) => (await system.eventStore.readStream(promiseStreamId(promiseId))).filter((e) => e.type === 'PromiseWentOverdue');
const findingsOn = async (overdue: RecordedEvent) => system.eventStore.readStream(findingStreamId(findingIdFor('CMP-09', overdue)));
const acted = async (now?: string) => (await system.deadlines.tick(now)).map((o) => [o.deadline.streamId, o.outcome]);

const deadlineOf = (promiseId: string): Deadline => ({ id: `${PROMISE_OVERDUE}|${promiseStreamId(promiseId)}`, kind: PROMISE_OVERDUE, streamId: promiseStreamId(promiseId), dueAt: '' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-overdue-'));
  system = await open();
  await system.commands.customers.register({ customerId, name: 'Acme Bank', industry: 'finance', region: 'east' }, rep());
  await system.commands.reps.hire(
    { actorId: 'rep-1', name: 'Rep One', team: 'east', role: 'sales_rep', managerId: 'mgr-1' },
    { commandId: newId(), actor: { id: 'mgr-1', role: 'sales_manager' }, correlationId: 'overdue-test' },
  );
  await viewCaughtUp();
  // March's forecast snapshot falls due at the first tick; taken here, the ticks below see only the promises' deadlines.
  expect(await acted()).toEqual([['forecast-2026-03', 'done']]);
});
afterAll(async () => {
  await system.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a promise not kept by its due date', () => {
  let first: string;

  it('goes overdue at the first instant after its due date in Beijing, not a moment before, and raises its CMP-09 finding', async () => {
    first = await promiseDue('2026-03-03');
    await viewCaughtUp();
    expect(await acted('2026-03-03T15:59:59.999Z')).toEqual([]);

    clock.at = '2026-03-03T16:00:00.000Z';
    const outcomes = await system.deadlines.tick();
    expect(outcomes).toEqual([
      { deadline: { id: expect.any(String), kind: PROMISE_OVERDUE, streamId: promiseStreamId(first), dueAt: '2026-03-03T16:00:00.000Z' }, outcome: 'done', events: ['PromiseWentOverdue'] },
    ]);
    const [overdue] = await overdueEvents(first);
    expect(overdue!.data).toEqual({ promiseId: first, customerId, dueDate: '2026-03-03' });
    expect(overdue!.metadata).toMatchObject({
      actor: { id: 'deadline-watcher', role: 'system' },
      commandId: deadlineCommandId({ kind: PROMISE_OVERDUE, streamId: promiseStreamId(first) }),
      customerId,
      occurredAt: clock.at,
    });

    const [finding] = await findingsOn(overdue!);
    expect(finding!.data).toMatchObject({
      ruleId: 'CMP-09',
      severity: 'medium',
      policyRevision: 1,
      evidence: [{ streamId: promiseStreamId(first), revision: overdue!.revision, hash: overdue!.metadata.hash }],
      customerId,
      sellerId: 'rep-1',
      sellerManagerId: 'mgr-1',
      subject: { kind: 'promise', id: first },
    });

    await viewCaughtUp();
    expect(await acted()).toEqual([]);
  });

  it('goes overdue once, and raises its finding once, when the view still shows the deadline open', async () => {
    const stale = new DeadlineWatcher({
      deadlines: { due: async () => ({ items: [deadlineOf(first)], nextCursor: null }) },
      kinds: [promiseOverdue(system.commands.promises)],
      clock,
      logger,
    });
    expect(await stale.tick()).toMatchObject([{ outcome: 'replayed', events: ['PromiseWentOverdue'] }]);
    const overdue = await overdueEvents(first);
    expect(overdue).toHaveLength(1);
    expect(await findingsOn(overdue[0]!)).toHaveLength(1);
  });

  it('never goes overdue once fulfilled, broken or withdrawn', async () => {
    const kept = await promiseDue('2026-03-05');
    const broken = await promiseDue('2026-03-05');
    const withdrawn = await promiseDue('2026-03-05');
    const { promises } = system.commands;
    await promises.fulfil(kept, { evidence: 'roadmap sent, ticket SR-1' }, rep());
    await promises.break(broken, { reason: 'supplier missed the date' }, rep());
    await promises.withdraw(withdrawn, { reason: 'customer dropped it' }, rep());
    clock.at = '2026-03-06T00:00:00.000Z';
    await viewCaughtUp();
    expect(await acted()).toEqual([]);
    for (const promiseId of [kept, broken, withdrawn]) expect(await overdueEvents(promiseId)).toEqual([]);
  });

  it('resumes after a restart: what fell due while it was down goes overdue at the first tick, once', async () => {
    const dueWhileDown = await promiseDue('2026-03-06');
    const dueLater = await promiseDue('2026-03-08');
    await system.close();

    clock.at = '2026-03-07T12:00:00.000Z';
    system = await open();
    await viewCaughtUp();
    expect(await acted()).toEqual([[promiseStreamId(dueWhileDown), 'done']]);
    await system.close();

    system = await open();
    await viewCaughtUp();
    expect(await acted()).toEqual([]);
    clock.at = '2026-03-09T00:00:00.000Z';
    expect(await acted()).toEqual([[promiseStreamId(dueLater), 'done']]);

    for (const promiseId of [first, dueWhileDown, dueLater]) {
      const overdue = await overdueEvents(promiseId);
      expect(overdue).toHaveLength(1);
      expect(await findingsOn(overdue[0]!)).toHaveLength(1);
    }
  });

  it('raises the finding after a restart when the process died between marking the promise overdue and raising it', async () => {
    const promiseId = await promiseDue('2026-03-09');
    await system.close();

    // What the watcher's first step writes, by a process that dies before the second and runs no subscriber.
    clock.at = '2026-03-10T00:00:00.000Z';
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const keyStore = await openKeyStore(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger);
    const pipeline = new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) });
    const commandId = deadlineCommandId({ kind: PROMISE_OVERDUE, streamId: promiseStreamId(promiseId) });
    await new AggregateCommands(pipeline, promiseAggregate).act(
      promiseId,
      { type: 'MarkPromiseOverdue' },
      { commandId, actor: { id: 'deadline-watcher', role: 'system' }, correlationId: commandId },
    );
    await keyStore.close();
    await eventStore.close();

    // The watcher's loop is held, so only the compliance subscriber can raise it.
    system = await open();
    const [overdue] = await overdueEvents(promiseId);
    await expect.poll(async () => (await findingsOn(overdue!)).length, { timeout: 5_000 }).toBe(1);
    await viewCaughtUp();
    expect(await acted()).toEqual([]);
    expect(await overdueEvents(promiseId)).toHaveLength(1);
  });
});
