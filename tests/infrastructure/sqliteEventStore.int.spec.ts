import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v4 as uuid } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WrongExpectedRevision, type EventToAppend, type RecordedEvent } from '../../application/ports/eventStore.js';
import { eventStoreSchema } from '../../infrastructure/eventstore/sqlite/schema.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';
import { eventStoreContract } from '../contracts/eventStoreContract.js';

async function tempDatabase(): Promise<{ file: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-event-store-'));
  return { file: join(dir, 'events.db'), remove: () => rm(dir, { recursive: true, force: true }) };
}

eventStoreContract('SQLite', async () => {
  const { file, remove } = await tempDatabase();
  const store = SqliteEventStore.open(file);
  return {
    store,
    dispose: async () => {
      await store.close();
      await remove();
    },
  };
});

describe('SQLite event store', () => {
  let file: string;
  let remove: () => Promise<void>;
  let store: SqliteEventStore;

  beforeEach(async () => {
    ({ file, remove } = await tempDatabase());
    store = SqliteEventStore.open(file);
  });
  afterEach(async () => {
    await store.close();
    await remove();
  });

  it('starts with an empty log and keeps the file in WAL mode', async () => {
    expect(await store.headPosition()).toBeNull();
    expect(await store.readAll()).toEqual([]);
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it("gives a log written before commands were looked up by id their index at the first open, and finds a command's events through it", async () => {
    await store.close();
    const older = `${file}.older`;
    const raw = new Database(older);
    try {
      raw.exec(eventStoreSchema);
      raw.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run('order-1', 0, uuid(), 'Placed', '{}', '{"commandId":"place-1"}', 'now');
    } finally {
      raw.close();
    }
    store = SqliteEventStore.open(older);
    expect((await store.readCommandEvents('order-1', 'place-1')).map((e) => e.type)).toEqual(['Placed']);
    const reopened = new Database(older, { readonly: true });
    try {
      const index = reopened.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'events_by_command_id'").pluck().get();
      expect(index).toMatch(/json_extract\(metadata, '\$\.commandId'\), json_extract\(metadata, '\$\[1\]'\)/);
    } finally {
      reopened.close();
    }
  });

  it('keeps what it acknowledged across close and reopen, and goes on numbering from there', async () => {
    const stream = `order-${uuid()}`;
    const first = await store.append(stream, [event('Placed'), event('Paid')], { expectedRevision: 'no_stream' });
    // Accepted but not yet flushed when close() is called: close writes it first.
    const pending = store.append(stream, [event('Shipped')], { expectedRevision: 1 });
    await store.close();
    const shipped = await pending;

    store = SqliteEventStore.open(file);
    const events = await store.readStream(stream);
    expect(events.map((e) => e.type)).toEqual(['Placed', 'Paid', 'Shipped']);
    expect(events[1]?.position).toBe(first.position);
    expect(await store.headPosition()).toBe(shipped.position);

    const next = await store.append(stream, [event('Delivered')], { expectedRevision: 2 });
    expect(next).toEqual({ nextRevision: 3, position: shipped.position + 1 });
  });

  it('isolates each request of a batch: a refused one leaves the others committed', async () => {
    const [a, b, c, d] = [`batch-${uuid()}`, `batch-${uuid()}`, `batch-${uuid()}`, `batch-${uuid()}`];
    const taken = event('Taken');
    await store.append(d, [taken], { expectedRevision: 'no_stream' });
    const head = (await store.headPosition())!;

    // All issued in the same tick, so they share one transaction.
    const fresh = event('Fresh');
    const outcomes = await Promise.allSettled([
      store.append(a, [event('A0')], { expectedRevision: 'no_stream' }),
      store.append(b, [event('B0')], { expectedRevision: 3 }),
      // Its first event is new, its second collides with one stored elsewhere: it fails midway.
      store.append(c, [fresh, taken], { expectedRevision: 'any' }),
      store.append(a, [event('A1')], { expectedRevision: 'no_stream' }),
      store.append(a, [event('A1')], { expectedRevision: 0 }),
      store.append(b, [event('B0')], { expectedRevision: 'no_stream' }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error) : null));
    expect(reasons[1]).toBeInstanceOf(WrongExpectedRevision);
    expect(reasons[2]?.message).toContain(taken.eventId);
    // The second 'no_stream' append to a saw the first one, written moments before in the same batch.
    expect(reasons[3]).toMatchObject({ expected: 'no_stream', actual: 0 });

    expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A0', 'A1']);
    expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B0']);
    expect(await store.readStream(c)).toEqual([]);
    const written = await store.readAll({ after: head });
    expect(written.map((e) => e.type)).toEqual(['A0', 'A1', 'B0']);
    expect(written.some((e) => e.eventId === fresh.eventId)).toBe(false);
  });

  it('returns the stored result for a retried append even after the stream moved on', async () => {
    const stream = `order-${uuid()}`;
    const placed = event('Placed');
    const original = await store.append(stream, [placed], { expectedRevision: 'no_stream' });
    await store.append(stream, [event('Paid')], { expectedRevision: 0 });

    expect(await store.append(stream, [placed], { expectedRevision: 'no_stream' })).toEqual(original);
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('refuses an append whose first event id is stored in another stream, naming it', async () => {
    const placed = event('Placed');
    await store.append(`order-${uuid()}`, [placed], { expectedRevision: 'no_stream' });
    const other = `order-${uuid()}`;
    await expect(store.append(other, [placed], { expectedRevision: 'any' })).rejects.toThrow(placed.eventId);
    expect(await store.readStream(other)).toEqual([]);
  });

  it('refuses an empty append and data that is not JSON', async () => {
    await expect(store.append(`order-${uuid()}`, [], { expectedRevision: 'any' })).rejects.toThrow(/at least one event/);
    const notJson = { ...event(), data: undefined };
    await expect(store.append(`order-${uuid()}`, [notJson], { expectedRevision: 'any' })).rejects.toThrow(/JSON/);
  });

  it('delivers a long catch-up across pages in order, without gaps or duplicates', async () => {
    const results = await Promise.all(
      Array.from({ length: 1_200 }, (_, i) => store.append(`item-${i}`, [event()], { expectedRevision: 'no_stream' })),
    );
    const subscription = store.subscribeToAll();
    const received: RecordedEvent[] = [];
    for await (const recorded of subscription) {
      received.push(recorded);
      if (received.length === results.length) break;
    }
    expect(received.map((e) => e.position)).toEqual(results.map((r) => r.position));
  });

  it('sees appends made through another connection to the same file, by polling', async () => {
    const other = SqliteEventStore.open(file);
    const subscription = store.subscribeToAll();
    try {
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      const written = await other.append(`order-${uuid()}`, [event('Elsewhere')], { expectedRevision: 'no_stream' });
      expect(await next).toMatchObject({ done: false, value: { type: 'Elsewhere', position: written.position } });
    } finally {
      await subscription.close();
      await other.close();
    }
  });

  it('ends its subscriptions and refuses new work once closed; closing twice is harmless', async () => {
    const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
    const pending = iterator.next();
    await store.close();
    expect(await pending).toMatchObject({ done: true });
    await store.close();
    await expect(store.append(`order-${uuid()}`, [event()], { expectedRevision: 'any' })).rejects.toThrow(/closed/);
  });

  describe('metadata on disk', () => {
    const hex = (seed: string) => seed.repeat(64 / seed.length);
    /** As the command pipeline writes it: the event id, the command, the actor, the time, what the command recorded, the chain. */
    const sealed = (eventId: string, extra: Record<string, unknown> = {}) => ({
      eventId,
      commandId: 'onboard-acme-0001',
      requestHash: hex('f4'),
      correlationId: uuid(),
      causationId: 'onboard-acme-0001',
      actor: { id: 'dev-sales-rep', role: 'sales_rep' },
      occurredAt: '2026-11-30T06:55:04.708Z',
      schemaVersion: 1,
      ...extra,
      prevHash: hex('0'),
      hash: hex('8c'),
    });
    const stored = () => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare<[], { event_id: string; metadata: string }>('SELECT event_id, metadata FROM events ORDER BY position').all();
      } finally {
        db.close();
      }
    };

    it("keeps the pipeline's metadata in half the bytes and reads it back exactly as given, key order included", async () => {
      const streamId = `customer-${uuid()}`;
      const first = uuid();
      const second = uuid();
      const metadata = [
        sealed(first, { customerId: uuid(), policyVersion: 3 }),
        { ...sealed(second), requestHash: undefined, correlationId: 'onboard-acme-0001', causationId: uuid(), prevHash: hex('8c'), hash: hex('3e') },
      ];
      await store.append(streamId, metadata.map((m) => ({ eventId: m.eventId, type: 'CustomerRegistered', data: {}, metadata: m })), { expectedRevision: 'no_stream' });
      const read = await store.readStream(streamId);
      expect(read.map((e) => JSON.stringify(e.metadata))).toEqual(metadata.map((m) => JSON.stringify(m)));
      const rows = stored();
      rows.forEach((row, i) => expect(row.metadata.length).toBeLessThan(JSON.stringify(metadata[i]).length * 0.6));
    });

    it('keeps any other metadata as the JSON it is, and reads JSON an earlier version stored', async () => {
      const shapes = [{}, { actor: 'system' }, { ...sealed(uuid()), hash: hex('8C') }, { ...sealed(uuid()), schemaVersion: undefined }, { note: 'before', ...sealed(uuid()) }];
      const streamId = `order-${uuid()}`;
      await store.append(streamId, shapes.map((m) => ({ eventId: uuid(), type: 'SomethingHappened', data: {}, metadata: m })), { expectedRevision: 'no_stream' });
      const earlier = sealed(uuid());
      const db = new Database(file);
      db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, 0, ?, ?, ?, ?, ?)').run(
        `customer-${uuid()}`,
        earlier.eventId,
        'CustomerRegistered',
        '{}',
        JSON.stringify(earlier),
        new Date().toISOString(),
      );
      db.close();
      expect(stored().map((row) => row.metadata)).toEqual([...shapes, earlier].map((m) => JSON.stringify(m)));
      const read = await store.readAll();
      expect(read.map((e) => JSON.stringify(e.metadata))).toEqual([...shapes, earlier].map((m) => JSON.stringify(m)));
    });
  });

  it('opens an in-memory store', async () => {
    const memory = SqliteEventStore.open(':memory:');
    try {
      const result = await memory.append(`order-${uuid()}`, [event()], { expectedRevision: 'no_stream' });
      expect(await memory.headPosition()).toBe(result.position);
    } finally {
      await memory.close();
    }
  });
});

function event(type = 'SomethingHappened'): EventToAppend {
  return { eventId: uuid(), type, data: { type }, metadata: {} };
}
