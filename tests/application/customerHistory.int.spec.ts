import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { customerHistory, customerHistoryPage, CustomerHistoryWalk, type HistoryEntry } from '../../application/audit/customerHistory.js';
import { newId } from '../../application/ids.js';
import type { EventStore, EventToAppend, ReadStreamOptions } from '../../application/ports/eventStore.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqliteEventStore.js';

let store: SqliteEventStore;
beforeEach(() => {
  store = SqliteEventStore.open(':memory:');
});
afterEach(() => store.close());

const CUSTOMER = 'c-walk';
const customerStream = `customer-${CUSTOMER}`;
const at = (minute: number) => new Date(Date.UTC(2024, 5, 1, 9, minute)).toISOString();
const event = (type: string, data: unknown, occurredAt: string): EventToAppend => ({ eventId: newId(), type, data, metadata: { occurredAt, customerId: CUSTOMER } });
const call = (n: number, minute: number) => event('InteractionRecorded', { customerId: CUSTOMER, interactionId: `i${n}`, kind: 'call', note: `call ${n}` }, at(minute));

/** The event store, recording how many events each stream read asked for. */
const recordingReads = (inner: EventStore) => {
  const asked: number[] = [];
  const recorder = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'readStream') return Reflect.get(target, property, receiver);
      return (streamId: string, options: ReadStreamOptions = {}) => {
        asked.push(options.maxCount ?? Number.POSITIVE_INFINITY);
        return target.readStream(streamId, options);
      };
    },
  });
  return { recorder, asked };
};

/** The event store, recording which streams were read. */
const recordingStreams = (inner: EventStore) => {
  const read = new Set<string>();
  const recorder = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'readStream') return Reflect.get(target, property, receiver);
      return (streamId: string, options: ReadStreamOptions = {}) => {
        read.add(streamId);
        return target.readStream(streamId, options);
      };
    },
  });
  return { recorder, read };
};

const collect = async (walk: CustomerHistoryWalk) => {
  const entries: HistoryEntry[] = [];
  for await (const entry of walk.entries()) entries.push(entry);
  return entries;
};

describe("walking a customer's history", () => {
  it('merges its streams in log order, folding each, and cuts each at its first event after asOf even if a later one is earlier', async () => {
    await store.append(customerStream, [event('CustomerRegistered', { customerId: CUSTOMER, name: 'Walk Bank', industry: 'finance', region: 'east' }, at(0))], { expectedRevision: 'no_stream' });
    await store.append('note-1', [event('Noted', { n: 1 }, at(1))], { expectedRevision: 'no_stream' });
    await store.append(customerStream, [call(1, 2)], { expectedRevision: 0 });
    await store.append('note-1', [event('Noted', { n: 2 }, at(30))], { expectedRevision: 0 });
    await store.append(customerStream, [call(2, 3)], { expectedRevision: 1 });
    // A clock that stepped back: after the cut at minute 30, nothing more of note-1 is replayed.
    await store.append('note-1', [event('Noted', { n: 3 }, at(4))], { expectedRevision: 1 });

    const walk = await CustomerHistoryWalk.open(store, CUSTOMER, ['note-1'], at(10));
    const entries = await collect(walk);
    expect(entries.map((e) => [e.streamId, e.revision])).toEqual([
      [customerStream, 0],
      ['note-1', 0],
      [customerStream, 1],
      [customerStream, 2],
    ]);
    expect(entries.map((e) => e.position)).toEqual([...entries.map((e) => e.position)].sort((a, b) => a - b));
    expect(entries[3]!.state).toMatchObject({ status: 'registered', interactions: 2 });
    expect(entries[1]!.state).toBeNull();
    expect(walk.streamsOf(entries)).toEqual({ streams: [customerStream, 'note-1'], aggregates: { [customerStream]: entries[3]!.state, 'note-1': null } });
    expect(walk.streamsOf(entries.slice(2))).toEqual({ streams: [customerStream], aggregates: { [customerStream]: entries[3]!.state } });
  });

  it('holds only a bounded read-ahead of a long stream, however long, and pages through it by position', async () => {
    await store.append(customerStream, [event('CustomerRegistered', { customerId: CUSTOMER, name: 'Long Bank', industry: 'finance', region: 'east' }, at(0))], { expectedRevision: 'no_stream' });
    const calls = 3_000;
    for (let from = 1; from <= calls; from += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => call(from + i, 1));
      await store.append(customerStream, batch, { expectedRevision: from - 1 });
    }
    const { recorder, asked } = recordingReads(store);
    const entries = await collect(await CustomerHistoryWalk.open(recorder, CUSTOMER, [], at(5)));
    expect(entries).toHaveLength(calls + 1);
    expect(entries.at(-1)!.state).toMatchObject({ interactions: calls });
    expect(Math.max(...asked)).toBeLessThanOrEqual(256);
    expect(asked.length).toBeGreaterThan(calls / 256);

    const whole = await customerHistory(store, CUSTOMER, [], at(5));
    expect(whole.events).toEqual(entries);
    const page = await customerHistoryPage(store, CUSTOMER, [], at(5), { after: entries[99]!.position, limit: 50 });
    expect(page.events).toEqual(entries.slice(100, 150));
    expect(page.nextAfter).toBe(entries[149]!.position);
    const end = await customerHistoryPage(store, CUSTOMER, [], at(5), { after: entries[2_990]!.position, limit: 50 });
    expect(end).toMatchObject({ events: entries.slice(2_991), nextAfter: null });
  });

  it('reads a stream only once the walk reaches where it starts, so a first page reads the streams it shows', async () => {
    await store.append(customerStream, [event('CustomerRegistered', { customerId: CUSTOMER, name: 'Wide Bank', industry: 'finance', region: 'east' }, at(0))], { expectedRevision: 'no_stream' });
    const notes = Array.from({ length: 40 }, (_, i) => `note-${i}`);
    for (const note of notes) await store.append(note, [event('Noted', {}, at(1)), event('Noted', {}, at(1))], { expectedRevision: 'no_stream' });
    const { recorder, read } = recordingStreams(store);
    const page = await customerHistoryPage(recorder, CUSTOMER, notes, at(5), { after: -1, limit: 3 });
    expect(page.events.map((e) => e.streamId)).toEqual([customerStream, 'note-0', 'note-0']);
    expect([...read].sort()).toEqual([customerStream, 'note-0', 'note-1']);
    expect((await customerHistory(store, CUSTOMER, notes, at(5))).events).toHaveLength(81);
  });
});
