import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandPipeline, type CommandEnvelope } from '../../application/commandPipeline.js';
import { AggregateCommands } from '../../application/commands/aggregateCommands.js';
import { COMPLAINT_FIRST_RESPONSE, COMPLAINT_RESOLUTION, complaintClocks } from '../../application/deadlines/complaintClocks.js';
import { DeadlineWatcher, deadlineCommandId, type Deadline } from '../../application/deadlines/deadlineWatcher.js';
import { storedEventSchemas } from '../../application/eventSchemas.js';
import { newId } from '../../application/ids.js';
import { PersonalDataVault } from '../../application/personalData.js';
import { personalDataFields } from '../../domain/aggregates.js';
import { complaintAggregate, complaintStreamId } from '../../domain/complaint/complaint.js';
import { loadConfig } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { openKeyStore, openSystem, type System } from '../../infrastructure/system.js';
import { DEADLINES } from '../../projections/deadlines/deadlinesProjection.js';

/** Beijing wall-clock time (UTC+8) as the UTC instant the clock reads. */
const bj = (local: string) => new Date(`${local}+08:00`).toISOString();
const clock = { at: bj('2026-03-09T10:00'), now() { return this.at; } };
const logger = pino({ level: 'silent' });
const desk = (): CommandEnvelope => ({ commandId: newId(), actor: { id: 'agent-1', role: 'support_agent' }, correlationId: 'complaint-clocks-test' });

let dir: string;
let system: System;
const customerId = newId();

/** The system as a process would open it, with the watcher's loop held so the test drives tick(). */
const open = async () => {
  const opened = await openSystem({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger, clock });
  await opened.deadlines.stop();
  return opened;
};

/** A high complaint filed now: two business hours to the first response, sixteen to the resolution, on the desk's calendar. */
const fileComplaint = async () => {
  const complaintId = newId();
  await system.commands.complaints.file({ complaintId, customerId, channel: 'email', category: 'service', severity: 'high', summary: 'SOC alerts unanswered' }, desk());
  return complaintId;
};

const viewCaughtUp = async () => {
  const head = await system.eventStore.headPosition();
  expect(await system.runner.waitFor([DEADLINES], head ?? 0, 5_000)).toBe(true);
};

const eventsOf = async (complaintId: string, type: string) => (await system.eventStore.readStream(complaintStreamId(complaintId))).filter((e) => e.type === type);
const acted = async (now?: string) => (await system.deadlines.tick(now)).map((o) => [o.deadline.kind, o.deadline.streamId, o.outcome]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-complaint-clocks-'));
  system = await open();
  await system.commands.customers.register({ customerId, name: '华东银行', industry: 'finance', region: 'east' }, desk());
  await viewCaughtUp();
  // March's forecast snapshot falls due at the first tick; taken here, the ticks below see only the complaints' clocks.
  expect(await acted()).toEqual([['forecast-snapshot', 'forecast-2026-03', 'done']]);
});
afterAll(async () => {
  await system.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a complaint's clocks under the deadline watcher", () => {
  let first: string;

  it('breaches the first response when its time is up, not a moment before, and escalates as the ladder says, once', async () => {
    first = await fileComplaint();
    await viewCaughtUp();
    expect(await acted(bj('2026-03-09T11:59'))).toEqual([]);

    clock.at = bj('2026-03-09T12:00');
    expect(await system.deadlines.tick()).toEqual([
      {
        deadline: { id: expect.any(String), kind: COMPLAINT_FIRST_RESPONSE, streamId: complaintStreamId(first), dueAt: bj('2026-03-09T12:00') },
        outcome: 'done',
        events: ['ComplaintResponseOverdue'],
      },
    ]);
    const [overdue] = await eventsOf(first, 'ComplaintResponseOverdue');
    expect(overdue!.data).toEqual({ complaintId: first, customerId, dueAt: bj('2026-03-09T12:00'), targetMinutes: 120 });
    expect(overdue!.metadata).toMatchObject({
      actor: { id: 'deadline-watcher', role: 'system' },
      commandId: deadlineCommandId({ kind: COMPLAINT_FIRST_RESPONSE, streamId: complaintStreamId(first) }),
      customerId,
    });
    const [escalation] = await eventsOf(first, 'ComplaintEscalated');
    expect(escalation!.data).toEqual({
      complaintId: first,
      customerId,
      level: 1,
      role: 'sales_manager',
      reason: 'The first response target was missed',
      escalatedBy: 'complaint-follow-ups',
      breachOf: 'firstResponse',
    });
    expect(escalation!.metadata).toMatchObject({ causationId: overdue!.eventId, policyVersion: 1 });

    await viewCaughtUp();
    expect(await acted()).toEqual([]);
  });

  it('breaches once and escalates once when the view still shows the deadline open', async () => {
    const deadline: Deadline = { id: `${COMPLAINT_FIRST_RESPONSE}|${complaintStreamId(first)}`, kind: COMPLAINT_FIRST_RESPONSE, streamId: complaintStreamId(first), dueAt: '' };
    const stale = new DeadlineWatcher({ deadlines: { due: async () => ({ items: [deadline], nextCursor: null }) }, kinds: complaintClocks(system.commands.complaints), clock, logger });
    expect(await stale.tick()).toMatchObject([{ outcome: 'replayed', events: ['ComplaintResponseOverdue'] }]);
    expect(await eventsOf(first, 'ComplaintResponseOverdue')).toHaveLength(1);
    expect(await eventsOf(first, 'ComplaintEscalated')).toHaveLength(1);
  });

  it('counts no time while the desk waits on the customer: the clocks run out that much later', async () => {
    clock.at = bj('2026-03-09T10:00');
    const waiting = await fileComplaint();
    clock.at = bj('2026-03-09T11:00');
    await system.commands.complaints.requestInfo(waiting, { note: '请提供告警编号 / which alert ids?' }, desk());
    clock.at = bj('2026-03-11T09:00');
    await viewCaughtUp();
    expect(await acted()).toEqual([]);

    await system.commands.complaints.receiveInfo(waiting, { note: 'ids sent' }, desk());
    await viewCaughtUp();
    // An hour of each clock was used on Monday: the first response is due an hour into Wednesday.
    expect(await acted(bj('2026-03-11T09:59'))).toEqual([]);
    clock.at = bj('2026-03-11T10:00');
    expect((await acted()).filter(([, streamId]) => streamId === complaintStreamId(waiting))).toEqual([[COMPLAINT_FIRST_RESPONSE, complaintStreamId(waiting), 'done']]);
  });

  it('resumes after a restart: a clock that ran out while it was down is breached at the first tick, once', async () => {
    clock.at = bj('2026-03-12T09:00');
    const dueWhileDown = await fileComplaint();
    const [filed] = await eventsOf(dueWhileDown, 'ComplaintFiled');
    await system.close();

    clock.at = bj('2026-03-13T17:00');
    system = await open();
    await viewCaughtUp();
    expect(await acted()).toEqual(expect.arrayContaining([[COMPLAINT_FIRST_RESPONSE, complaintStreamId(dueWhileDown), 'done']]));
    await system.close();

    system = await open();
    await viewCaughtUp();
    expect((await acted()).filter(([, streamId]) => streamId === complaintStreamId(dueWhileDown))).toEqual([]);
    expect(await eventsOf(dueWhileDown, 'ComplaintResponseOverdue')).toHaveLength(1);
    expect(await eventsOf(dueWhileDown, 'ComplaintEscalated')).toHaveLength(1);
    expect((filed!.data as { due: unknown }).due).toEqual({ firstResponse: bj('2026-03-12T11:00'), resolution: bj('2026-03-13T18:00') });
  });

  it('escalates through the subscriber, once, when the process died between the breach and the escalation', async () => {
    clock.at = bj('2026-03-16T09:00');
    const complaintId = await fileComplaint();
    await system.close();

    // What the watcher's first step writes, by a process that dies before the second and runs no subscriber.
    clock.at = bj('2026-03-16T11:00');
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const keyStore = await openKeyStore(config, logger);
    const pipeline = new CommandPipeline({ eventStore, clock, schemas: storedEventSchemas(), personalData: new PersonalDataVault(keyStore, personalDataFields) });
    const commandId = deadlineCommandId({ kind: COMPLAINT_FIRST_RESPONSE, streamId: complaintStreamId(complaintId) });
    await new AggregateCommands(pipeline, complaintAggregate).act(
      complaintId,
      { type: 'MarkComplaintResponseOverdue' },
      { commandId, actor: { id: 'deadline-watcher', role: 'system' }, correlationId: commandId },
    );
    await keyStore.close();
    await eventStore.close();

    // The watcher's loop is held, so only the follow-up subscriber can escalate.
    system = await open();
    await expect.poll(async () => (await eventsOf(complaintId, 'ComplaintEscalated')).length, { timeout: 5_000 }).toBe(1);
    await viewCaughtUp();
    expect((await acted()).filter(([kind, streamId]) => kind === COMPLAINT_FIRST_RESPONSE && streamId === complaintStreamId(complaintId))).toEqual([]);
    expect(await eventsOf(complaintId, 'ComplaintResponseOverdue')).toHaveLength(1);
    expect(await eventsOf(complaintId, 'ComplaintEscalated')).toHaveLength(1);
  });

  it('breached the resolution later and took the complaint to the next rung, above the one the response breach reached', async () => {
    const [breach] = await eventsOf(first, 'ComplaintResolutionOverdue');
    expect(breach!.data).toMatchObject({ dueAt: bj('2026-03-11T10:00'), targetMinutes: 960 });
    expect(breach!.metadata.commandId).toBe(deadlineCommandId({ kind: COMPLAINT_RESOLUTION, streamId: complaintStreamId(first) }));
    const escalations = (await eventsOf(first, 'ComplaintEscalated')).map((e) => (e.data as { level: number; role: string; breachOf: string }));
    expect(escalations).toEqual([
      expect.objectContaining({ level: 1, role: 'sales_manager', breachOf: 'firstResponse' }),
      expect.objectContaining({ level: 2, role: 'admin', breachOf: 'resolution' }),
    ]);
  });
});
