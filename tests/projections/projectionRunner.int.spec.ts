import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../application/ids.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { checkpointName } from '../../projections/generations.js';
import { pipelineProjection } from '../../projections/pipeline/pipelineProjection.js';
import { projectionOf } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/projectionRunner.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const register = (eventStore: SqliteEventStore) => {
  const customerId = newId();
  return eventStore.append(`customer-${customerId}`, [{ eventId: newId(), type: 'CustomerRegistered', data: { customerId, name: 'Acme', industry: 'x', region: 'y' }, metadata: {} }], {
    expectedRevision: 'no_stream',
  });
};

describe('a view following events it does not handle', () => {
  it('writes nothing for each of them, and its checkpoint reaches them a moment later, never going back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const readStore = SqliteReadStore.open(join(dir, 'views.sqlite'));
    const runner = new ProjectionRunner({ eventStore, readStore, projections: [projectionOf(pipelineProjection)], logger: pino({ level: 'silent' }) });
    cleanups.push(async () => {
      await runner.stop();
      await readStore.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const commits = vi.spyOn(readStore, 'commit');
    const stored = () => readStore.getCheckpoint(checkpointName(pipelineProjection.name, 1));

    await runner.start();
    let head = 0;
    for (let i = 0; i < 20; i++) {
      ({ position: head } = await register(eventStore));
      // Waited on one at a time, so each comes in a batch of its own.
      expect(await runner.waitFor([pipelineProjection.name], head, 5_000)).toBe(true);
    }
    await expect.poll(stored).toBe(head);
    // Twenty batches without an opportunity event, written as a few checkpoints rather than twenty.
    expect(commits.mock.calls.length).toBeLessThan(10);

    const opportunityId = newId();
    const opened = await eventStore.append(
      `opportunity-${opportunityId}`,
      [{ eventId: newId(), type: 'OpportunityOpened', data: { opportunityId, customerId: newId(), title: 'Firewall', ownerId: 'rep-1', amount: { minor: 100, currency: 'CNY' }, stage: 'qualification' }, metadata: { occurredAt: '2026-03-02T09:00:00.000Z' } }],
      { expectedRevision: 'no_stream' },
    );
    expect(await runner.waitFor([pipelineProjection.name], opened.position, 5_000)).toBe(true);
    // A batch the view handles is written at once, documents and checkpoint together.
    expect(await stored()).toBe(opened.position);
    const written = commits.mock.calls.map(([commit]) => commit.checkpoint.position);
    expect(written).toEqual([...written].sort((a, b) => a - b));
    expect(commits.mock.calls.at(-1)![0].writes.length).toBeGreaterThan(0);
  });
});
