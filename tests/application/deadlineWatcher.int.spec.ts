import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { DeadlineWatcher, deadlineCommandId, type Deadline, type DueDeadlines } from '../../application/deadlines/deadlineWatcher.js';
import { QUOTE_EXPIRY, quoteExpiry } from '../../application/deadlines/quoteExpiry.js';
import { newId } from '../../application/ids.js';
import type { ProductFacts } from '../../domain/catalog/product.js';
import { quoteStreamId } from '../../domain/quote/quote.js';
import { loadConfig } from '../../infrastructure/config.js';
import { openSystem, type System } from '../../infrastructure/system.js';
import { DEADLINE_DOCS, DEADLINES, dueDeadlines } from '../../projections/deadlines/deadlinesProjection.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const clock = { at: at(0), now() { return this.at; } };
const logger = pino({ level: 'silent' });
const cny = (minor: number) => ({ minor, currency: 'CNY' });
const rep = (): CommandEnvelope => ({ commandId: newId(), actor: { id: 'rep-1', role: 'sales_rep' }, correlationId: 'test' });

const firewall: ProductFacts = {
  sku: 'FW-100',
  name: 'Firewall 100',
  capabilities: [],
  maxSla: { availabilityPct: 99.9, responseHours: 4 },
  leadTimeDays: 14,
  listPrice: cny(100_000),
  floorPrice: cny(70_000),
  unitCost: cny(40_000),
  retired: false,
};

let dir: string;
let system: System;
const customerId = newId();

/** The system as a process would open it, with the interval loop held so the test drives tick(). */
const open = async () => {
  const opened = await openSystem({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger, clock });
  await opened.deadlines.stop();
  return opened;
};

let opportunityId: string;
const admin = (): CommandEnvelope => ({ commandId: newId(), actor: { id: 'admin-1', role: 'admin' }, correlationId: 'test' });

const draftQuote = async (validUntil: string) => {
  const quoteId = newId();
  const lines = [{ sku: 'FW-100', qty: 1, unitPrice: cny(100_000), discountPct: 0 }];
  await system.commands.quotes.draft({ quoteId, opportunityId, lines, validUntil }, rep());
  return quoteId;
};

const viewCaughtUp = async () => {
  const head = await system.eventStore.headPosition();
  expect(await system.runner.waitFor([DEADLINES], head ?? 0, 5_000)).toBe(true);
};

const expiries = async (quoteId: string) => (await system.eventStore.readStream(quoteStreamId(quoteId))).filter((e) => e.type === 'QuoteExpired');

const deadlineOf = (quoteId: string): Deadline => ({ id: `${QUOTE_EXPIRY}|${quoteStreamId(quoteId)}`, kind: QUOTE_EXPIRY, streamId: quoteStreamId(quoteId), dueAt: '' });

/** A view that always lists the deadline as open: the moment after a crash, before the projection applied the expiry. */
const stale = (deadline: Deadline): DueDeadlines => ({ due: async () => ({ items: [deadline], nextCursor: null }) });
const watcherOver = (deadlines: DueDeadlines, intervalMs?: number) =>
  new DeadlineWatcher({ deadlines, kinds: [quoteExpiry(system.commands.quotes)], clock, logger, ...(intervalMs ? { intervalMs } : {}) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-deadlines-'));
  system = await open();
  const { commands } = system;
  await commands.customers.register({ customerId, name: 'Acme Bank', industry: 'finance', region: 'east' }, rep());
  const { retired: _onSale, ...product } = firewall;
  await commands.products.publish({ ...product, capabilities: [...product.capabilities] }, admin());
  await commands.reps.hire({ actorId: 'rep-1', name: 'Rep One', team: 'east', role: 'sales_rep' }, admin());
  await commands.reps.recordTraining(
    'rep-1',
    { trainingId: newId(), course: 'Firewall 100', passedAt: '2026-01-05T00:00:00.000Z', certifies: ['FW-100'], expiresAt: '2027-01-05T00:00:00.000Z' },
    admin(),
  );
  opportunityId = newId();
  await commands.opportunities.open({ opportunityId, customerId, title: 'Perimeter refresh', ownerId: 'rep-1', amount: cny(100_000) }, rep());
  await viewCaughtUp();
  // March's forecast snapshot falls due at the first tick; taken here, the ticks below see only the quotes' deadlines.
  expect((await system.deadlines.tick()).map((o) => [o.deadline.streamId, o.outcome])).toEqual([['forecast-2026-03', 'done']]);
});
afterAll(async () => {
  await system.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the deadline watcher', () => {
  let first: string;

  it('expires a quote once the clock reaches its validity, and not a moment before', async () => {
    first = await draftQuote(at(1));
    await viewCaughtUp();
    clock.at = at(0.99);
    expect(await system.deadlines.tick()).toEqual([]);

    clock.at = at(1);
    const outcomes = await system.deadlines.tick();
    expect(outcomes).toEqual([
      { deadline: { id: expect.any(String), kind: QUOTE_EXPIRY, streamId: quoteStreamId(first), dueAt: at(1) }, outcome: 'done', events: ['QuoteExpired'] },
    ]);
    const [expired] = await expiries(first);
    expect(expired!.data).toEqual({ quoteId: first, validUntil: at(1) });
    expect(expired!.metadata).toMatchObject({
      actor: { id: 'deadline-watcher', role: 'system' },
      commandId: deadlineCommandId({ kind: QUOTE_EXPIRY, streamId: quoteStreamId(first) }),
      customerId,
      occurredAt: at(1),
    });

    await viewCaughtUp();
    expect(await system.views.get(DEADLINES, DEADLINE_DOCS, deadlineOf(first).id)).toMatchObject({ done: true, doneAt: at(1) });
    expect(await system.deadlines.tick()).toEqual([]);
  });

  it('replays instead of expiring twice when the view still shows the deadline open', async () => {
    const outcomes = await watcherOver(stale(deadlineOf(first))).tick();
    expect(outcomes).toMatchObject([{ outcome: 'replayed', events: ['QuoteExpired'] }]);
    expect(await expiries(first)).toHaveLength(1);
  });

  it('leaves alone a quote the customer answered before its validity ran out', async () => {
    const answered = await draftQuote(at(3));
    const { quotes } = system.commands;
    for (const answer of [quotes.submit, quotes.send, quotes.accept]) await answer(answered, rep());
    await viewCaughtUp();
    clock.at = at(4);
    expect((await system.deadlines.tick()).map((o) => o.deadline.streamId)).not.toContain(quoteStreamId(answered));
    const racing = await watcherOver(stale(deadlineOf(answered))).tick();
    expect(racing).toMatchObject([{ outcome: 'refused', detail: expect.stringMatching(/^QUO-22/) }]);
    expect(await expiries(answered)).toHaveLength(0);
  });

  it('resumes after a restart: what fell due while it was down expires at the first tick, once', async () => {
    const dueWhileDown = await draftQuote(at(5));
    const dueLater = await draftQuote(at(6));
    await system.close();

    clock.at = at(5.5);
    system = await open();
    await viewCaughtUp();
    expect((await system.deadlines.tick()).map((o) => [o.deadline.streamId, o.outcome])).toEqual([[quoteStreamId(dueWhileDown), 'done']]);
    await system.close();

    system = await open();
    await viewCaughtUp();
    expect(await system.deadlines.tick()).toEqual([]);
    clock.at = at(7);
    expect((await system.deadlines.tick()).map((o) => [o.deadline.streamId, o.outcome])).toEqual([[quoteStreamId(dueLater), 'done']]);

    for (const quoteId of [first, dueWhileDown, dueLater]) expect(await expiries(quoteId)).toHaveLength(1);
  });

  it('ticks on its own interval once started, and stops', async () => {
    const quoteId = await draftQuote(at(8));
    await viewCaughtUp();
    clock.at = at(9);
    const watcher = watcherOver(dueDeadlines(system.views), 5);
    watcher.start();
    try {
      await expect.poll(async () => (await expiries(quoteId)).length, { timeout: 2_000 }).toBe(1);
    } finally {
      await watcher.stop();
    }
  });
});
