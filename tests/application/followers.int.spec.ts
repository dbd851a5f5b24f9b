import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../api/server.js';
import { DeadlineWatcher, type Deadline } from '../../application/deadlines/deadlineWatcher.js';
import { ReactorSubscriber } from '../../application/reactors/reactorSubscriber.js';
import type { ReadStore, ReadStoreCommit } from '../../application/ports/readStore.js';
import { newId } from '../../application/ids.js';
import { loadConfig } from '../../infrastructure/config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { SqliteReadStore } from '../../infrastructure/readstore/sqlite/sqliteReadStore.js';
import { openSystem, type System } from '../../infrastructure/system.js';
import { allProjections } from '../../projections/all.js';
import { projectionOf, type Projection } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/projectionRunner.js';

const logger = pino({ level: 'silent' });
const ADMIN = { authorization: 'Bearer dev-admin-key-0000' };
const until = async (condition: () => boolean | Promise<boolean>, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A view of customer names that cannot take one name, until someone fixes it. */
const fragile = { broken: true };
const namesProjection: Projection = projectionOf({
  name: 'names',
  version: 1,
  collections: [{ name: 'names', indexes: {} }],
  handles: ['CustomerRegistered'],
  documentsFor: (event) => [{ collection: 'names', id: event.data.customerId }],
  apply(event, view) {
    if (fragile.broken && event.data.name === 'Poison Ltd') throw new TypeError(`no rule for ${event.data.name}`);
    view.put('names', { id: event.data.customerId, name: event.data.name });
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'followers-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

describe('a view stopped by a poison event', () => {
  it('fails naming the event, makes readiness 503 naming it, shows in /admin/projections and /metrics, and resumes on a retry after the fix', async () => {
    fragile.broken = true;
    const system: System = await openSystem({ config: loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent' }), logger, projections: [...allProjections, namesProjection] });
    const app: FastifyInstance = await buildServer(system);
    cleanups.unshift(async () => {
      await app.close();
      await system.close();
    });
    const register = (name: string) =>
      system.commands.customers.register({ customerId: newId(), name, industry: 'finance', region: 'east' }, { commandId: newId(), actor: { id: 'dev-admin', role: 'admin' }, correlationId: 'test' });
    await register('Fine Bank');
    const poison = await register('Poison Ltd');
    await register('After Co');

    await until(async () => (await system.followers.status()).find((f) => f.name === 'projection:names')?.state === 'failed');
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { followers: 'not_running' }, followersNotRunning: [{ name: 'projection:names', state: 'failed', error: 'no rule for Poison Ltd' }] });

    const admin = (await app.inject({ url: '/admin/projections', headers: ADMIN })).json();
    const names = admin.projections.find((p: { name: string }) => p.name === 'names');
    expect(names.active).toMatchObject({ state: 'failed', failure: { position: poison.position, type: 'CustomerRegistered', streamId: poison.streamId, error: 'no rule for Poison Ltd', attempts: 3 } });
    // The view kept what came before the poison event, and nothing after it.
    expect(names.active.position).toBeLessThan(poison.position);
    expect((await app.inject('/metrics')).body).toMatch(/follower_state\{follower="projection:names",kind="projection",state="failed"\} 1/);
    // The other views go on.
    expect((await system.followers.status()).filter((f) => f.state !== 'running').map((f) => f.name)).toEqual(['projection:names']);

    fragile.broken = false;
    const retried = await app.inject({ method: 'POST', url: '/admin/projections/names/retry', headers: ADMIN });
    expect(retried.statusCode).toBe(202);
    await until(async () => (await app.inject('/health/ready')).statusCode === 200);
    expect(system.runner.position('names')).toBe(await system.eventStore.headPosition());
    expect((await app.inject({ method: 'POST', url: '/admin/projections/nothing/retry', headers: ADMIN })).json()).toMatchObject({ status: 404 });
    expect((await app.inject({ method: 'POST', url: '/admin/projections/names/retry', headers: { authorization: 'Bearer dev-analyst-key-0000' } })).statusCode).toBe(403);
  });
});

describe('a view whose store fails for a while', () => {
  it('retries from its checkpoint while the store refuses commits, then catches up with every event once', async () => {
    const dir = tempDir();
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const store = SqliteReadStore.open(join(dir, 'views.sqlite'));
    let refusals = 4;
    const flaky: ReadStore = Object.assign(Object.create(store) as ReadStore, {
      commit: async (commit: ReadStoreCommit) => {
        if (commit.writes.length > 0 && refusals-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        return store.commit(commit);
      },
    });
    fragile.broken = false;
    const runner = new ProjectionRunner({ eventStore, readStore: flaky, projections: [namesProjection], logger });
    cleanups.unshift(async () => {
      await runner.stop();
      await store.close();
      await eventStore.close();
    });
    for (const name of ['A', 'B', 'C']) {
      const id = newId();
      await eventStore.append(`customer-${id}`, [{ eventId: newId(), type: 'CustomerRegistered', data: { customerId: id, name, industry: 'x', region: 'y' }, metadata: {} }], { expectedRevision: 'no_stream' });
    }
    await runner.start();
    await until(() => runner.followers()[0]?.state === 'retrying');
    expect(runner.followers()[0]).toMatchObject({ lastError: { message: 'database is locked' }, failure: null });
    await until(() => runner.followers()[0]?.state === 'running' && runner.position('names') === 3);
    expect(runner.followers()[0]!.restarts).toBeGreaterThanOrEqual(4);
    expect((await store.find('names__g1', { where: {}, limit: 10 })).items).toHaveLength(3);
  });

  it('follows the log again when a subscription ends without being asked to', async () => {
    const dir = tempDir();
    const sqlite = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const store = SqliteReadStore.open(join(dir, 'views.sqlite'));
    let subscriptions = 0;
    const dropsFirst = Object.assign(Object.create(sqlite) as SqliteEventStore, {
      subscribeToAll: (options: { after?: number }) => {
        subscriptions += 1;
        if (subscriptions > 1) return sqlite.subscribeToAll(options);
        // The server closes the first subscription at once, as a dropped connection ends a stream.
        return { async *[Symbol.asyncIterator]() {}, close: async () => {} };
      },
    });
    const runner = new ProjectionRunner({ eventStore: dropsFirst, readStore: store, projections: [namesProjection], logger });
    cleanups.unshift(async () => {
      await runner.stop();
      await store.close();
      await sqlite.close();
    });
    await runner.start();
    await until(() => subscriptions === 2);
    const id = newId();
    await sqlite.append(`customer-${id}`, [{ eventId: newId(), type: 'CustomerRegistered', data: { customerId: id, name: 'Live', industry: 'x', region: 'y' }, metadata: {} }], { expectedRevision: 'no_stream' });
    await until(() => runner.position('names') === 1);
    expect(runner.followers()[0]).toMatchObject({ state: 'running', restarts: 1 });
  });
});

describe('a reactor stopped by a poison event', () => {
  it('fails on the event its reaction fails on every time, keeps its checkpoint before it, and takes it on a retry', async () => {
    const dir = tempDir();
    const eventStore = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const readStore = SqliteReadStore.open(join(dir, 'views.sqlite'));
    const seen: string[] = [];
    let broken = true;
    const reactor = new ReactorSubscriber({
      name: 'test-reactor',
      handles: ['CustomerRegistered'],
      eventStore,
      readStore,
      logger,
      react: async (event) => {
        const { name } = event.data as { name: string };
        if (broken && name === 'Poison Ltd') throw new RangeError('cannot react to this one');
        seen.push(name);
      },
    });
    cleanups.unshift(async () => {
      await reactor.stop();
      await readStore.close();
      await eventStore.close();
    });
    for (const name of ['Fine Bank', 'Poison Ltd', 'After Co']) {
      const id = newId();
      await eventStore.append(`customer-${id}`, [{ eventId: newId(), type: 'CustomerRegistered', data: { customerId: id, name }, metadata: {} }], { expectedRevision: 'no_stream' });
    }
    reactor.start();
    await until(() => reactor.supervisor.status().state === 'failed');
    expect(reactor.supervisor.status().failure).toMatchObject({ position: 2, error: 'cannot react to this one', attempts: 3 });
    expect(seen).toEqual(['Fine Bank']);

    broken = false;
    reactor.retry();
    await until(() => seen.includes('After Co'));
    expect(reactor.supervisor.status().state).toBe('running');
  });
});

describe('the deadline watcher', () => {
  it('holds a deadline whose command fails the same way every tick, goes on with the others, and releases it on a retry', async () => {
    const due: Deadline[] = [
      { id: 'expiry|quote-bad', kind: 'expiry', streamId: 'quote-bad', dueAt: '2026-01-01T00:00:00.000Z' },
      { id: 'expiry|quote-good', kind: 'expiry', streamId: 'quote-good', dueAt: '2026-01-01T00:00:00.000Z' },
    ];
    const acted: string[] = [];
    let broken = true;
    const watcher = new DeadlineWatcher({
      deadlines: { due: async () => ({ items: due, nextCursor: null }) },
      kinds: [
        {
          kind: 'expiry',
          issue: async (deadline) => {
            if (broken && deadline.streamId === 'quote-bad') throw new TypeError('no quote state');
            acted.push(deadline.streamId);
            return { id: deadline.streamId, streamId: deadline.streamId, revision: 1, position: 1, events: ['QuoteExpired'], replayed: false };
          },
        },
      ],
      clock: { now: () => '2026-01-02T00:00:00.000Z' },
      logger,
      intervalMs: 5,
    });
    cleanups.unshift(() => watcher.stop());
    watcher.start();
    await until(() => watcher.supervisor.status().state === 'failed');
    expect(watcher.supervisor.status().failure).toMatchObject({ streamId: 'expiry|quote-bad', error: expect.stringContaining('no quote state') });
    expect((await watcher.tick()).map((o) => o.outcome)).toEqual(['held', 'done']);

    broken = false;
    watcher.retry();
    await until(() => acted.includes('quote-bad'));
    await until(() => watcher.supervisor.status().state === 'running');
  });
});
