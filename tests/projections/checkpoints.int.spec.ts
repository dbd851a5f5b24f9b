import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../application/ids.js';
import type { ReadStore, ReadStoreCommit } from '../../application/ports/readStore.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { projectionOf } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/projectionRunner.js';

const logger = pino({ level: 'silent' });

/** Counts registrations: applying one twice would show, so the count tells whether each took effect once. */
const tally = projectionOf({
  name: 'tally',
  version: 1,
  collections: [{ name: 'tally', indexes: {} }],
  handles: ['CustomerRegistered'],
  documentsFor: () => [{ collection: 'tally', id: 'registered' }],
  apply(_, view) {
    const current = view.get('tally', 'registered');
    view.put('tally', { id: 'registered', count: Number(current?.count ?? 0) + 1 });
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const open = () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
  const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
  const store = SqliteReadStore.open(join(dir, 'views.sqlite'));
  const commits: ReadStoreCommit[] = [];
  const counted: ReadStore = Object.assign(Object.create(store) as ReadStore, {
    commit: async (commit: ReadStoreCommit) => {
      commits.push(commit);
      return store.commit(commit);
    },
  });
  const runners: ProjectionRunner[] = [];
  const runner = (checkpointLagMs?: number) => {
    const started = new ProjectionRunner({ eventStore, readStore: counted, projections: [tally], logger, ...(checkpointLagMs !== undefined ? { checkpointLagMs } : {}) });
    runners.push(started);
    return started;
  };
  cleanups.push(async () => {
    for (const started of runners) await started.stop();
    await store.close();
    await eventStore.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const append = async (type: 'CustomerRegistered' | 'CustomerInteractionRecorded') => {
    const id = newId();
    return (await eventStore.append(`customer-${id}`, [{ eventId: newId(), type, data: { customerId: id }, metadata: {} }], { expectedRevision: 'no_stream' })).position;
  };
  const registered = async () => (await store.get('tally__g1', 'registered'))?.count;
  return { store, commits, runner, append, registered };
};

const until = async (condition: () => Promise<boolean>, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('a view and the events it does not handle', () => {
  it('opens no write transaction for them, yet waitFor sees each position at once, and the next event it handles stores the checkpoint past them', async () => {
    const { store, commits, runner, append, registered } = open();
    const views = runner(60_000);
    await views.start();
    const first = await append('CustomerRegistered');
    expect(await views.waitFor(['tally'], first, 5_000)).toBe(true);
    const before = commits.length;

    for (let i = 0; i < 30; i++) {
      const position = await append('CustomerInteractionRecorded');
      expect(await views.waitFor(['tally'], position, 5_000)).toBe(true);
      expect(views.position('tally')).toBe(position);
    }
    expect(commits.length).toBe(before);
    expect(await store.getCheckpoint('tally@g1')).toBe(first);

    const second = await append('CustomerRegistered');
    expect(await views.waitFor(['tally'], second, 5_000)).toBe(true);
    expect(commits.length).toBe(before + 1);
    expect(await store.getCheckpoint('tally@g1')).toBe(second);
    expect(await registered()).toBe(2);
  });

  it('replays from the stored checkpoint after a restart, taking each event it handles once', async () => {
    const { store, runner, append, registered } = open();
    const first = runner(60_000);
    await first.start();
    expect(await first.waitFor(['tally'], await append('CustomerRegistered'), 5_000)).toBe(true);
    let head = 0;
    for (let i = 0; i < 10; i++) head = await append('CustomerInteractionRecorded');
    expect(await first.waitFor(['tally'], head, 5_000)).toBe(true);
    await first.stop();
    expect(await store.getCheckpoint('tally@g1')).toBeLessThan(head);

    const second = runner(60_000);
    await second.start();
    expect(await second.waitFor(['tally'], head, 5_000)).toBe(true);
    // Caught up, it stores what it owes at once, not a quiet minute later.
    await until(async () => (await store.getCheckpoint('tally@g1')) === head);
    expect(await registered()).toBe(1);
  });

  it('stores the checkpoint once the log has been quiet a while, so another process waiting on it sees the position', async () => {
    const { store, runner, append } = open();
    const views = runner(50);
    await views.start();
    await append('CustomerRegistered');
    const head = await append('CustomerInteractionRecorded');
    await until(async () => (await store.getCheckpoint('tally@g1')) === head);
  });
});
