import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuid } from 'uuid';
import {
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '../../application/ports/eventStore.js';

export type OpenedEventStore = { store: EventStore; dispose: () => Promise<void> };

/**
 * What every EventStore adapter promises. Streams get fresh ids in every test, and log-wide
 * reads start at the head taken before the test and keep only the test's own streams, so the
 * suite can run against a server that other runs share.
 */
export function eventStoreContract(name: string, open: () => Promise<OpenedEventStore>): void {
  describe(`${name} adapter contract`, () => {
    let opened: OpenedEventStore | undefined;
    const store = (): EventStore => {
      if (!opened) throw new Error('The event store was not opened');
      return opened.store;
    };

    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.dispose();
    });

    describe('expected revision', () => {
      it("'no_stream' is accepted for a new stream and refused once it exists", async () => {
        const stream = newStream();
        const first = await store().append(stream, [event()], { expectedRevision: 'no_stream' });
        expect(first.nextRevision).toBe(0);
        expect(first.position).toBeGreaterThanOrEqual(0);

        const refusal = await refusalOf(store().append(stream, [event()], { expectedRevision: 'no_stream' }));
        expect(refusal).toMatchObject({ streamId: stream, expected: 'no_stream', actual: 0 });
      });

      it("'stream_exists' is refused for a missing stream and accepted once it exists", async () => {
        const stream = newStream();
        const refusal = await refusalOf(store().append(stream, [event()], { expectedRevision: 'stream_exists' }));
        expect(refusal).toMatchObject({ streamId: stream, expected: 'stream_exists', actual: 'no_stream' });

        await store().append(stream, [event()], { expectedRevision: 'no_stream' });
        const second = await store().append(stream, [event()], { expectedRevision: 'stream_exists' });
        expect(second.nextRevision).toBe(1);
      });

      it("'any' is accepted whether or not the stream exists", async () => {
        const stream = newStream();
        expect((await store().append(stream, [event()], { expectedRevision: 'any' })).nextRevision).toBe(0);
        expect((await store().append(stream, [event(), event()], { expectedRevision: 'any' })).nextRevision).toBe(2);
      });

      it('an exact revision is accepted when it is the last event and refused otherwise', async () => {
        const stream = newStream();
        const missing = await refusalOf(store().append(stream, [event()], { expectedRevision: 0 }));
        expect(missing).toMatchObject({ expected: 0, actual: 'no_stream' });

        await store().append(stream, [event(), event()], { expectedRevision: 'no_stream' });
        const accepted = await store().append(stream, [event()], { expectedRevision: 1 });
        expect(accepted.nextRevision).toBe(2);

        const stale = await refusalOf(store().append(stream, [event()], { expectedRevision: 1 }));
        expect(stale).toMatchObject({ streamId: stream, expected: 1, actual: 2 });
        const ahead = await refusalOf(store().append(stream, [event()], { expectedRevision: 7 }));
        expect(ahead).toMatchObject({ expected: 7, actual: 2 });
      });
    });

    describe('atomicity and idempotency', () => {
      it('a refused multi-event append appends none of its events', async () => {
        const stream = newStream();
        await store().append(stream, [event()], { expectedRevision: 'no_stream' });
        await refusalOf(store().append(stream, [event(), event(), event()], { expectedRevision: 5 }));
        expect(await store().readStream(stream)).toHaveLength(1);
      });

      it('an append whose event ids only partly match a stored append is refused and appends nothing', async () => {
        const stream = newStream();
        const [a, b, c] = [event('A'), event('B'), event('C')];
        await store().append(stream, [a, b], { expectedRevision: 'no_stream' });

        await expect(store().append(stream, [a, c], { expectedRevision: 'no_stream' })).rejects.toThrow();

        expect((await store().readStream(stream)).map((e) => e.eventId)).toEqual([a.eventId, b.eventId]);
      });

      it('appending the same events again returns the first result and stores one copy', async () => {
        const stream = newStream();
        const events = [event('A'), event('B')];
        const first = await store().append(stream, events, { expectedRevision: 'no_stream' });
        const retried = await store().append(stream, events, { expectedRevision: 'no_stream' });
        expect(retried).toEqual(first);

        const next = event('C');
        const third = await store().append(stream, [next], { expectedRevision: 1 });
        expect(await store().append(stream, [next], { expectedRevision: 1 })).toEqual(third);

        const stored = await store().readStream(stream);
        expect(stored.map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(stored.at(-1)?.position).toBe(third.position);
        expect(stored[1]?.position).toBe(first.position);
      });
    });

    describe('reading', () => {
      it('reads a stream forwards and backwards, from a revision, up to a count', async () => {
        const stream = newStream();
        const events = [0, 1, 2, 3, 4].map((n) => event(`Step${n}`, { n }, { step: n }));
        const result = await store().append(stream, events, { expectedRevision: 'no_stream' });
        expect(result.nextRevision).toBe(4);

        const all = await store().readStream(stream);
        expect(all.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(all[2]).toMatchObject({
          streamId: stream,
          revision: 2,
          eventId: events[2]!.eventId,
          type: 'Step2',
          data: { n: 2 },
          metadata: { step: 2 },
        });
        expectIncreasing(all.map((e) => e.position));
        expect(all.at(-1)?.position).toBe(result.position);

        const forwards = await store().readStream(stream, { fromRevision: 2, maxCount: 2 });
        expect(forwards.map((e) => e.revision)).toEqual([2, 3]);

        const backwards = await store().readStream(stream, { direction: 'backwards' });
        expect(backwards.map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);

        const backwardsFrom = await store().readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 });
        expect(backwardsFrom.map((e) => e.revision)).toEqual([3, 2]);
      });

      it('reads an empty list for a missing stream', async () => {
        const stream = newStream();
        expect(await store().readStream(stream)).toEqual([]);
        expect(await store().readStream(stream, { direction: 'backwards' })).toEqual([]);
      });

      it("finds a command's events in a stream by the commandId in their metadata, in revision order", async () => {
        const [stream, other] = [newStream(), newStream()];
        const byCommand = (commandId: string, type: string) => event(type, {}, { commandId });
        await store().append(stream, [byCommand('register', 'Registered')], { expectedRevision: 'no_stream' });
        const moved = await store().append(stream, [byCommand('move', 'Moved'), byCommand('move', 'Noted')], { expectedRevision: 0 });
        await store().append(stream, [event('Unattributed'), byCommand('call', 'Called')], { expectedRevision: 2 });
        await store().append(other, [byCommand('move', 'ElsewhereMoved')], { expectedRevision: 'no_stream' });

        const found = await store().readCommandEvents(stream, 'move');
        expect(found.map((e) => [e.revision, e.type, e.streamId])).toEqual([
          [1, 'Moved', stream],
          [2, 'Noted', stream],
        ]);
        expect(found.at(-1)?.position).toBe(moved.position);
        expect(found[0]?.metadata).toEqual({ commandId: 'move' });
        expect((await store().readCommandEvents(stream, 'call')).map((e) => e.revision)).toEqual([4]);
        expect((await store().readCommandEvents(other, 'move')).map((e) => e.type)).toEqual(['ElsewhereMoved']);
        expect(await store().readCommandEvents(stream, 'never-sent')).toEqual([]);
        expect(await store().readCommandEvents(newStream(), 'move')).toEqual([]);
      });

      it('gives the position of the first event of each named stream that has one', async () => {
        const [first, second, empty] = [newStream(), newStream(), newStream()];
        const opened = await store().append(first, [event('A'), event('B')], { expectedRevision: 'no_stream' });
        const [firstEvent] = await store().readStream(first);
        const secondOpened = await store().append(second, [event('C')], { expectedRevision: 'no_stream' });
        await store().append(first, [event('D')], { expectedRevision: opened.nextRevision });

        const positions = await store().firstPositions([second, empty, first]);
        expect(Object.fromEntries(positions)).toEqual({ [first]: firstEvent!.position, [second]: secondOpened.position });
        expect((await store().firstPositions([])).size).toBe(0);
      });

      it('reads the log after a position, in position order, page by page', async () => {
        const head = await store().headPosition();
        const [s1, s2] = [newStream(), newStream()];
        const results: AppendResult[] = [];
        for (const stream of [s1, s2, s1, s2]) {
          results.push(await store().append(stream, [event()], { expectedRevision: 'any' }));
        }
        const own = (events: RecordedEvent[]) => events.filter((e) => e.streamId === s1 || e.streamId === s2);

        const whole = own(await store().readAll(afterOption(head)));
        expect(whole.map((e) => e.position)).toEqual(results.map((r) => r.position));
        expect(whole.map((e) => e.streamId)).toEqual([s1, s2, s1, s2]);

        const paged: RecordedEvent[] = [];
        let cursor = head;
        while (paged.length < 4) {
          const page = await store().readAll({ ...afterOption(cursor), maxCount: 2 });
          expect(page.length).toBeGreaterThan(0);
          expect(page.length).toBeLessThanOrEqual(2);
          expectIncreasing(page.map((e) => e.position));
          if (cursor !== null) expect(page[0]!.position).toBeGreaterThan(cursor);
          paged.push(...own(page));
          cursor = page.at(-1)!.position;
        }
        expect(paged).toEqual(whole);

        const afterSecond = own(await store().readAll({ after: results[1]!.position }));
        expect(afterSecond.map((e) => e.position)).toEqual([results[2]!.position, results[3]!.position]);
      });

      it('reports the head position of the log', async () => {
        const result = await store().append(newStream(), [event()], { expectedRevision: 'no_stream' });
        const head = await store().headPosition();
        expect(head).not.toBeNull();
        expect(head!).toBeGreaterThanOrEqual(result.position);
      });

      it('answers a ping', async () => {
        await expect(store().ping()).resolves.toBeUndefined();
      });
    });

    describe('subscription', () => {
      it('catches up from a checkpoint, continues live, and ends on close', async () => {
        const stream = newStream();
        const first = await store().append(stream, [event('First')], { expectedRevision: 'no_stream' });
        await store().append(stream, [event('Second')], { expectedRevision: 0 });

        const subscription = store().subscribeToAll({ after: first.position });
        const iterator = subscription[Symbol.asyncIterator]();
        const nextOwn = async (): Promise<RecordedEvent> => {
          for (;;) {
            const next = await iterator.next();
            if (next.done) throw new Error('The subscription ended early');
            if (next.value.streamId === stream) return next.value;
          }
        };
        try {
          const caughtUp = await nextOwn();
          expect(caughtUp).toMatchObject({ type: 'Second', revision: 1 });

          const third = await store().append(stream, [event('Third')], { expectedRevision: 1 });
          const live = await nextOwn();
          expect(live).toMatchObject({ type: 'Third', revision: 2, position: third.position });
          expect(live.position).toBeGreaterThan(caughtUp.position);
        } finally {
          const pending = iterator.next();
          await subscription.close();
          expect(await pending).toMatchObject({ done: true });
        }
      });
    });

    describe('closing', () => {
      it('lets a call under way finish, then refuses every call', async () => {
        const own = await open();
        try {
          const stream = newStream();
          const underWay = own.store.append(stream, [event()], { expectedRevision: 'no_stream' });
          await own.store.close();
          expect((await underWay).nextRevision).toBe(0);

          await expect(own.store.append(stream, [event()], { expectedRevision: 0 })).rejects.toThrow();
          await expect(own.store.readStream(stream)).rejects.toThrow();
          await expect(own.store.readCommandEvents(stream, 'any-command')).rejects.toThrow();
          await expect(own.store.firstPositions([stream])).rejects.toThrow();
          await expect(own.store.readAll()).rejects.toThrow();
          await expect(own.store.headPosition()).rejects.toThrow();
          await expect(own.store.ping()).rejects.toThrow();
          expect(() => own.store.subscribeToAll()).toThrow();
        } finally {
          await own.dispose();
        }
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of 50 concurrent appends with the same expected revision win', async () => {
        const stream = newStream();
        await store().append(stream, [event()], { expectedRevision: 'no_stream' });

        const outcomes = await Promise.allSettled(
          Array.from({ length: 50 }, () => store().append(stream, [event()], { expectedRevision: 0 })),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(49);
        for (const reason of lost) expect(reason).toBeInstanceOf(WrongExpectedRevision);
        expect(await store().readStream(stream)).toHaveLength(2);
      });

      it('accepts 200 concurrent appends to distinct streams, each at its own position', async () => {
        const head = await store().headPosition();
        const streams = Array.from({ length: 200 }, () => newStream());
        const results = await Promise.all(
          streams.map((stream) => store().append(stream, [event()], { expectedRevision: 'no_stream' })),
        );
        const positions = results.map((r) => r.position);
        expect(new Set(positions).size).toBe(200);
        for (const position of positions) expect(position).toBeGreaterThan(head ?? -1);

        const ours = new Set(streams);
        const read: RecordedEvent[] = [];
        let cursor = head;
        for (;;) {
          const page = await store().readAll({ ...afterOption(cursor), maxCount: 500 });
          read.push(...page.filter((e) => ours.has(e.streamId)));
          if (read.length >= 200 || page.length === 0) break;
          cursor = page.at(-1)!.position;
        }
        expectIncreasing(read.map((e) => e.position));
        expect([...read.map((e) => e.position)].sort((a, b) => a - b)).toEqual([...positions].sort((a, b) => a - b));
      });
    });
  });
}

function newStream(): string {
  return `contract-${uuid()}`;
}

function event(type = 'SomethingHappened', data: unknown = { at: 'now' }, metadata: Record<string, unknown> = {}): EventToAppend {
  return { eventId: uuid(), type, data, metadata };
}

function afterOption(position: number | null): { after?: number } {
  return position === null ? {} : { after: position };
}

async function refusalOf(append: Promise<AppendResult>): Promise<WrongExpectedRevision> {
  const error = await append.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevision);
  return error as WrongExpectedRevision;
}

function expectIncreasing(positions: number[]): void {
  positions.forEach((position, i) => {
    if (i > 0) expect(position).toBeGreaterThan(positions[i - 1]!);
  });
}
