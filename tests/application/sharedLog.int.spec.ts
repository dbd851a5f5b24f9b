import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedLog } from '../../application/followers/sharedLog.js';
import { newId } from '../../application/ids.js';
import type { RecordedEvent, Subscription } from '../../application/ports/eventStore.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const openLog = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shared-log-'));
  const store = SqliteEventStore.open(join(dir, 'events.sqlite'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
};

/** `count` customers registered, in appends of up to 500 events. */
const register = async (store: SqliteEventStore, count: number) => {
  const appends: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId();
    appends.push(store.append(`customer-${id}`, [{ eventId: newId(), type: 'CustomerRegistered', data: { customerId: id, name: `Customer ${i}` }, metadata: {} }], { expectedRevision: 'no_stream' }));
  }
  await Promise.all(appends);
};

/** Takes events from a subscription until it has seen `position`. */
const readUntil = async (subscription: Subscription, position: number): Promise<number[]> => {
  const seen: number[] = [];
  for await (const event of subscription) {
    seen.push(event.position);
    if (event.position >= position) break;
  }
  return seen;
};

const positions = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the log the followers of a process share', () => {
  it('reads each page from the store once for followers at the same place, and hands each of them every event once, in order', async () => {
    const store = openLog();
    await register(store, 2_500);
    const reads = vi.spyOn(store, 'readAll');
    const log = new SharedLog(store, 8);

    const together = [log.subscribeToAll(), log.subscribeToAll()];
    const seen = await Promise.all(together.map((follower) => readUntil(follower, 2_500)));
    // One that comes after, from the middle of a page, reads the pages kept.
    const later = log.subscribeToAll({ after: 1_200 });
    seen.push(await readUntil(later, 2_500));
    for (const follower of [...together, later]) await follower.close();

    expect(seen[0]).toEqual(positions(1, 2_500));
    expect(seen[1]).toEqual(positions(1, 2_500));
    expect(seen[2]).toEqual(positions(1_201, 2_500));
    // Each event was read from the store, and parsed, once, whoever asked first.
    const read = (await Promise.all(reads.mock.results.map((result) => result.value as Promise<RecordedEvent[]>))).flat().map((event) => event.position);
    expect(read.sort((a, b) => a - b)).toEqual(positions(1, 2_500));
  });

  it('lets a follower far behind read its own pages while the others follow the log live', async () => {
    const store = openLog();
    await register(store, 3_000);
    const log = new SharedLog(store, 1);
    const live = log.subscribeToAll({ after: 3_000 });
    const rebuilding = log.subscribeToAll();
    cleanups.unshift(async () => {
      await live.close();
      await rebuilding.close();
    });
    const rebuilt = rebuilding[Symbol.asyncIterator]();
    expect((await rebuilt.next()).value).toMatchObject({ position: 1 });

    // The rebuild is left at its first event; the live follower sees each new event as it is written.
    const arriving = readUntil(live, 3_002);
    await register(store, 1);
    await register(store, 1);
    expect(await arriving).toEqual([3_001, 3_002]);

    const rest: number[] = [];
    for (let next = await rebuilt.next(); !next.done; next = await rebuilt.next()) {
      rest.push(next.value.position);
      if (next.value.position === 3_002) break;
    }
    expect(rest).toEqual(positions(2, 3_002));
  });

  it('gives a follower that stopped and starts again from its checkpoint what came after, without touching the others', async () => {
    const store = openLog();
    await register(store, 10);
    const log = new SharedLog(store);
    const steady = log.subscribeToAll();
    const restarted = log.subscribeToAll();
    expect(await readUntil(restarted, 4)).toEqual(positions(1, 4));
    await restarted.close();
    const resumed = log.subscribeToAll({ after: 4 });
    cleanups.unshift(async () => {
      await steady.close();
      await resumed.close();
    });
    await register(store, 2);
    expect(await readUntil(resumed, 12)).toEqual(positions(5, 12));
    expect(await readUntil(steady, 12)).toEqual(positions(1, 12));
  });

  it('hands out frozen events, so no follower can change what the others read', async () => {
    const store = openLog();
    await register(store, 1);
    const log = new SharedLog(store);
    const [event] = (await log.readAll()) as [RecordedEvent];
    expect(() => {
      (event.data as { name: string }).name = 'Changed';
    }).toThrow(TypeError);
    expect((await log.readAll())[0]!.data).toMatchObject({ name: 'Customer 0' });
  });

  it('passes a failure of the live subscription to every follower waiting on it, and starts another for the next wait', async () => {
    const store = openLog();
    await register(store, 2);
    let opened = 0;
    const failsFirst = Object.assign(Object.create(store) as SqliteEventStore, {
      subscribeToAll: (options: { after?: number }) => {
        opened += 1;
        if (opened > 1) return store.subscribeToAll(options);
        return {
          // The server refuses the first subscription after a moment, as an outage would.
          async *[Symbol.asyncIterator]() {
            await new Promise((resolve) => setTimeout(resolve, 20));
            throw new Error('connection reset');
          },
          close: async () => {},
        };
      },
    });
    const log = new SharedLog(failsFirst);
    const followers = [log.subscribeToAll({ after: 2 }), log.subscribeToAll({ after: 2 })];
    const outcomes = await Promise.allSettled(followers.map((follower) => follower[Symbol.asyncIterator]().next()));
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).message)).toEqual(['connection reset', 'connection reset']);
    for (const follower of followers) await follower.close();

    // Restarted by their supervisors, they wait on a new live subscription, which sees what comes next.
    const restarted = log.subscribeToAll({ after: 2 });
    cleanups.unshift(() => restarted.close());
    const next = readUntil(restarted, 3);
    await register(store, 1);
    expect(await next).toEqual([3]);
    expect(opened).toBe(2);
  });
});
