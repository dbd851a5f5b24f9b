import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FollowersAcrossWorkers } from '../../application/followers/followersAcrossWorkers.js';
import { Followers } from '../../application/followers/followers.js';
import { requestRetry } from '../../application/followers/retryRequests.js';
import { deadLocalHolder, holderName, WorkerLeases, type LeasedWork } from '../../application/followers/workerLeases.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'leases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A follower that records what the worker asked of it. */
const work = (log: string[], who: string): LeasedWork => ({
  start: async (token) => void log.push(`${who} start ${token}`),
  stop: async () => void log.push(`${who} stop`),
  renewed: async () => void log.push(`${who} renewed`),
});

describe('workers sharing the followers through leases', () => {
  it('runs each follower in one worker; another takes it over when the first lets it go or stops renewing, with a greater token', async () => {
    const store = SqliteReadStore.open(join(dir, 'share.sqlite'));
    let now = 1_000_000;
    const log: string[] = [];
    const worker = (holder: string) =>
      new WorkerLeases({ store, holder, ttlMs: 3_000, logger, statuses: () => [], now: () => now });
    const a = worker('a@host:1:x');
    const b = worker('b@host:2:y');
    a.follow('projection:pipeline', work(log, 'a'));
    b.follow('projection:pipeline', work(log, 'b'));

    await a.tick();
    await b.tick();
    expect(log).toEqual(['a start 1']);
    now += 1_000;
    await a.tick();
    await b.tick();
    expect(log).toEqual(['a start 1', 'a renewed']);

    // a stalls: it renews no more, and b takes over once the lease has run out.
    now += 2_999;
    await b.tick();
    expect(log).toEqual(['a start 1', 'a renewed']);
    now += 1;
    await b.tick();
    expect(log.at(-1)).toBe('b start 2');
    // a wakes and finds the lease gone: it stops its follower.
    await a.tick();
    expect(log.at(-1)).toBe('a stop');
    expect(a.held()).toEqual([]);

    // b stops cleanly and lets the lease go at once.
    await b.stop();
    expect(log.at(-1)).toBe('b stop');
    await a.tick();
    expect(log.at(-1)).toBe('a start 3');
    await a.stop();
    await store.close();
  });

  it("lets go at once the leases of a process of this machine that is gone, and never a live one's", () => {
    const self = { pid: 300, holder: holderName('worker', 'box', 300, 'new') };
    const isDead = deadLocalHolder('box', self, (pid) => pid === 200);
    expect(isDead(holderName('worker', 'box', 100, 'x'))).toBe(true);
    expect(isDead(holderName('worker', 'box', 200, 'x'))).toBe(false);
    expect(isDead(holderName('worker', 'other-box', 100, 'x'))).toBe(false);
    // The same process id as this one, but an earlier process: a restarted container is pid 1 again.
    expect(isDead(holderName('worker', 'box', 300, 'old'))).toBe(true);
    expect(isDead(self.holder)).toBe(false);
    expect(isDead('not a holder name')).toBe(false);
  });

  it('reports each follower where it runs, unheld when no worker holds it, and passes a retry to the worker that does', async () => {
    const store = SqliteReadStore.open(join(dir, 'board.sqlite'));
    const now = 5_000_000;
    const holder = 'w@host:7:z';
    const running = { name: 'projection:pipeline', kind: 'projection' as const, state: 'running' as const, position: 9, attempts: 0, lastError: null, failure: null, restarts: 0 };
    const worker = new WorkerLeases({ store, holder, ttlMs: 3_000, logger, statuses: () => [running, { ...running, name: 'deadline-watcher', kind: 'watcher' as const }], now: () => now });
    worker.follow('projection:pipeline', work([], 'w'));
    await worker.tick();
    const board = new FollowersAcrossWorkers({
      store,
      expected: [
        { name: 'projection:pipeline', kind: 'projection' },
        { name: 'deadline-watcher', kind: 'watcher' },
      ],
      now: () => now + 1,
    });
    expect(await board.status()).toEqual([{ ...running, holder }, expect.objectContaining({ name: 'deadline-watcher', state: 'unheld', holder: null })]);
    expect((await board.troubled()).map((f) => f.name)).toEqual(['deadline-watcher']);

    const local = new Followers([]);
    const here = new FollowersAcrossWorkers({ store, expected: [{ name: 'projection:pipeline', kind: 'projection' }], local: { followers: local, holder: 'api@host:8:q' }, now: () => now + 2 });
    await requestRetry(store, 'projection:pipeline', 1);
    expect(await here.retry('pipeline')).toBe(true);
    expect(await store.getMeta('retry-request:projection:pipeline')).toEqual({ at: now + 2 });
    expect(await here.retry('nothing')).toBe(false);
    await store.close();
  });
});
