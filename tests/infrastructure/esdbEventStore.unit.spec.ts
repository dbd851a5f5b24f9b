import { createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { EventStoreDBClient, convertToCommandError, type AllStreamResolvedEvent, type AppendResult } from '@eventstore/db-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStoreAccessDenied, EventStoreUnavailable, type RecordedEvent } from '../../application/ports/eventStore.js';
import {
  EsdbEventStore,
  ResubscribingSubscription,
  esdbConnection,
  resubscribeDelay,
  unsupportedServer,
  withinTimeout,
  type ClientSubscription,
  type EsdbClient,
} from '../../infrastructure/eventstore/esdb/esdbEventStore.js';

/**
 * Unit tests of the adapter's own logic: what it makes of a connection string and a server
 * version, its timeouts, and the resubscription state machine, driven through a stub of the few
 * client calls it makes. What a real server does is the contract suite's to show
 * (esdbEventStore.int.spec.ts); nothing here stands in for it.
 */

afterEach(() => {
  vi.useRealTimers();
});

describe('the EventStoreDB connection string', () => {
  it('rewrites the kurrentdb:// and kurrent:// forms, which client 6.2.1 cannot parse, to its esdb:// forms', () => {
    const cases = [
      ['kurrentdb://admin:changeit@db-1:2113?tls=false', 'esdb://admin:changeit@db-1:2113?tls=false'],
      ['kurrent://db-1:2113', 'esdb://db-1:2113'],
      ['kurrentdb+discover://cluster.example:2113?nodePreference=leader', 'esdb+discover://cluster.example:2113?nodePreference=leader'],
      ['kurrent+discover://cluster.example', 'esdb+discover://cluster.example'],
      ['esdb://db-1:2113?tls=false', 'esdb://db-1:2113?tls=false'],
      ['esdb+discover://cluster.example', 'esdb+discover://cluster.example'],
    ] as const;
    for (const [given, rewritten] of cases) {
      expect(esdbConnection(given).connectionString).toBe(rewritten);
      expect(() => EventStoreDBClient.connectionString(rewritten)).not.toThrow();
    }
    expect(() => EventStoreDBClient.connectionString('kurrentdb://db-1:2113')).toThrow(/expected esdb:\/\/ or esdb\+discover:\/\//);
  });

  it('refuses throwOnAppendFailure=false, however the key is written, since it reports a refused append as written', () => {
    for (const url of ['esdb://db-1?throwOnAppendFailure=false', 'kurrentdb://db-1?tls=false&throw-on-append-failure=false/', 'esdb://db-1?ThrowOnAppendFailure= false']) {
      expect(() => esdbConnection(url)).toThrow(/throwOnAppendFailure=false would report a refused append as written/);
    }
    expect(esdbConnection('esdb://db-1?throwOnAppendFailure=true').connectionString).toBe('esdb://db-1?throwOnAppendFailure=true');
  });

  it("bounds every call by the string's defaultDeadline, and by the client's 10 s without one", () => {
    expect(esdbConnection('esdb://db-1?tls=false&defaultDeadline=2500').deadlineMs).toBe(2_500);
    expect(esdbConnection('esdb://db-1?default_deadline=700').deadlineMs).toBe(700);
    expect(esdbConnection('esdb://db-1').deadlineMs).toBe(10_000);
  });

  it('refuses any other scheme', () => {
    expect(() => esdbConnection('http://db-1:2113')).toThrow(/must be an esdb:\/\/ or kurrentdb:\/\/ connection string/);
  });
});

describe('the server version', () => {
  it('is accepted from 22.6 on, KurrentDB included', () => {
    for (const version of ['22.6.0', '22.10.5', '23.10.4', '24.10.1', '25.1.0', '26.0.2']) expect(unsupportedServer(version)).toBeNull();
  });

  it('is refused before 22.6, the message naming the version found and the versions supported', () => {
    expect(unsupportedServer('21.10.11')).toMatch(/reports version 21\.10\.11; this service needs EventStoreDB 22\.6 or later, or any KurrentDB/);
    expect(unsupportedServer('22.2.0')).toMatch(/22\.6 or later/);
    expect(unsupportedServer('unknown')).toMatch(/reports a version older than 21\.10; this service needs EventStoreDB 22\.6 or later/);
  });
});

describe('a call bounded in time', () => {
  it('gives up with the error it is given once the time passes, and tells the work to stop', async () => {
    let abandoned: AbortSignal | undefined;
    const never = (signal: AbortSignal) => {
      abandoned = signal;
      return new Promise<never>(() => {});
    };
    await expect(withinTimeout(never, 20, () => new EventStoreUnavailable('too slow'))).rejects.toThrow('too slow');
    expect(abandoned?.aborted).toBe(true);
  });

  it('settles with the work when it finishes in time', async () => {
    await expect(withinTimeout(async () => 'done', 1_000, () => new Error('too slow'))).resolves.toBe('done');
  });
});

describe('the event store over a stubbed client', () => {
  it('gives up reads, head lookups and pings the server never answers, cancelling them, with EventStoreUnavailable', async () => {
    const reads: SilentRead[] = [];
    const client = stubClient({
      readAll: () => remember(reads, silentRead()),
      readStream: () => remember(reads, silentRead()),
    });
    const store = new EsdbEventStore(client, 30);
    for (const call of [() => store.readAll(), () => store.readStream('order-1'), () => store.headPosition(), () => store.ping()]) {
      await expect(call()).rejects.toThrow(EventStoreUnavailable);
    }
    expect(reads).toHaveLength(4);
    for (const read of reads) {
      expect(read.destroyed).toBe(true);
      expect(read.cancel).toHaveBeenCalled();
    }
  });

  it('gives a ping its own 2 s, however long other calls may take', async () => {
    vi.useFakeTimers();
    const store = new EsdbEventStore(stubClient({ readAll: () => silentRead() }), 60_000);
    const outcome = settled(store.ping());
    await vi.advanceTimersByTimeAsync(1_999);
    expect(outcome.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome.state).toBe('rejected');
    expect(outcome.reason).toBeInstanceOf(EventStoreUnavailable);
    expect((outcome.reason as Error).message).toMatch(/did not answer a read of \$all within 2000 ms/);
  });

  it('gives up an append the server never confirms with EventStoreUnavailable', async () => {
    const store = new EsdbEventStore(stubClient({ appendToStream: () => new Promise<AppendResult>(() => {}) }), 30);
    await expect(store.append('order-1', [appended()], { expectedRevision: 'no_stream' })).rejects.toThrow(/did not answer the append to order-1 within 30 ms/);
  });

  it("takes an append's position from its reply, without reading it back", async () => {
    const readStream = vi.fn((_stream: string, _options: unknown) => silentRead());
    const client = stubClient({
      appendToStream: async () => ({ success: true, nextExpectedRevision: 2n, position: { commit: 1_234n, prepare: 1_234n } }),
      readStream,
    });
    const store = new EsdbEventStore(client, 1_000);
    const result = await store.append('order-1', [appended(), appended(), appended()], { expectedRevision: 'no_stream' });
    expect(result).toEqual({ nextRevision: 2, position: 1_234 });
    expect(readStream).not.toHaveBeenCalled();
  });

  it('reads back from the leader the position a reply lacks (a retry the server has not yet indexed)', async () => {
    const readStream = vi.fn((_stream: string, _options: unknown) => readOf([resolved({ streamId: 'order-1', revision: 2n, position: 77n })]));
    const client = stubClient({ appendToStream: async () => ({ success: true, nextExpectedRevision: 2n }), readStream });
    const store = new EsdbEventStore(client, 1_000);
    const result = await store.append('order-1', [appended()], { expectedRevision: 1 });
    expect(result).toEqual({ nextRevision: 2, position: 77 });
    expect(readStream).toHaveBeenCalledWith('order-1', { fromRevision: 2n, maxCount: 1, requiresLeader: true });
  });

  it('fails a ping the server refuses for want of rights with EventStoreAccessDenied naming $all and $admins', async () => {
    const store = new EsdbEventStore(stubClient({ readAll: () => failingRead(grpcFailure(7, 'Access denied', 'access-denied')) }), 1_000);
    const refusal = await store.ping().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(EventStoreAccessDenied);
    expect((refusal as Error).message).toMatch(/denied a read of \$all to the user in EVENTSTORE_URL: .*only members of \$admins/);
  });

  it('turns an unavailable node into EventStoreUnavailable, and leaves other errors as they are', async () => {
    const unavailable = new EsdbEventStore(stubClient({ readAll: () => failingRead(grpcFailure(14, 'Connection dropped')) }), 1_000);
    await expect(unavailable.readAll()).rejects.toThrow(EventStoreUnavailable);
    const broken = new EsdbEventStore(stubClient({ readAll: () => failingRead(new Error('something else')) }), 1_000);
    await expect(broken.readAll()).rejects.toThrow(/^something else$/);
  });

  it('lets a call under way finish on close, then disposes of the client and refuses every call', async () => {
    let confirm!: (result: AppendResult) => void;
    const dispose = vi.fn(async () => {});
    const client = stubClient({
      appendToStream: () => new Promise<AppendResult>((resolve) => (confirm = resolve)),
      readAll: () => readOf([]),
      readStream: () => readOf([]),
      dispose,
    });
    const store = new EsdbEventStore(client, 1_000);
    const underWay = store.append('order-1', [appended()], { expectedRevision: 'no_stream' });
    const closing = store.close();
    await Promise.resolve();
    expect(dispose).not.toHaveBeenCalled();
    confirm({ success: true, nextExpectedRevision: 0n, position: { commit: 5n, prepare: 5n } });
    await closing;
    expect(await underWay).toEqual({ nextRevision: 0, position: 5 });
    expect(dispose).toHaveBeenCalledOnce();

    await expect(store.append('order-1', [appended()], { expectedRevision: 0 })).rejects.toThrow('The event store is closed');
    await expect(store.readStream('order-1')).rejects.toThrow('The event store is closed');
    await expect(store.readAll()).rejects.toThrow('The event store is closed');
    await expect(store.headPosition()).rejects.toThrow('The event store is closed');
    await expect(store.ping()).rejects.toThrow('The event store is closed');
    expect(() => store.subscribeToAll()).toThrow('The event store is closed');
  });

  it('ends its subscriptions on close, cancelling their calls', async () => {
    const call = new StubSubscription([], 'hang');
    const store = new EsdbEventStore(stubClient({ subscribeToAll: () => call }), 1_000);
    const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
    const pending = iterator.next();
    await store.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(call.unsubscribe).toHaveBeenCalled();
  });
});

describe('resubscription', () => {
  it('waits a backoff that doubles to its cap, each drawn in the upper half of its ceiling', () => {
    const backoff = (random: number) => ({ firstMs: 100, capMs: 5_000, random: () => random });
    expect([0, 1, 2, 3, 6, 20].map((failures) => resubscribeDelay(failures, backoff(1)))).toEqual([100, 200, 400, 800, 5_000, 5_000]);
    expect([0, 1, 6].map((failures) => resubscribeDelay(failures, backoff(0)))).toEqual([50, 100, 2_500]);
  });

  it('resubscribes after the last event handed out when the call drops, and hands out each event once, in order', async () => {
    const [e1, e2, e3] = [10n, 20n, 30n].map((position) => resolved({ position }));
    const calls = [
      new StubSubscription([e1!, e2!], grpcFailure(14, 'Connection dropped')),
      // A server may replay what it already sent; the subscription must not hand it out again.
      new StubSubscription([e2!, e3!], 'hang'),
    ];
    const open = vi.fn(() => calls.shift()!);
    const subscription = resubscribing(open, 5);
    const seen = await take(subscription, 3);
    expect(seen.map((event) => event.position)).toEqual([10, 20, 30]);
    expect(open.mock.calls).toEqual([[5], [20]]);
    await subscription.close();
  });

  it('resubscribes after every failure that passes, and after an end it did not ask for', async () => {
    const failures = [
      grpcFailure(14, 'Connection dropped'),
      grpcFailure(9, 'Leader changed', 'not-leader', { 'leader-endpoint-host': 'db-2', 'leader-endpoint-port': '2113' }),
      grpcFailure(4, 'Deadline Exceeded'),
      grpcFailure(1, 'Cancelled by the server'),
      'end' as const,
    ];
    const calls = failures.map((failure, i) => new StubSubscription([resolved({ position: BigInt(i + 1) })], failure));
    calls.push(new StubSubscription([resolved({ position: 99n })], 'hang'));
    const open = vi.fn(() => calls.shift()!);
    const subscription = resubscribing(open, undefined);
    expect((await take(subscription, 6)).map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 99]);
    expect(open.mock.calls).toEqual([[undefined], [1], [2], [3], [4], [5]]);
    await subscription.close();
  });

  it('waits longer after each drop in a row, and starts again from the first delay once an event arrives', async () => {
    vi.useFakeTimers();
    const dropped = () => grpcFailure(14, 'Connection dropped');
    const calls = [
      new StubSubscription([], dropped()),
      new StubSubscription([], dropped()),
      new StubSubscription([], dropped()),
      new StubSubscription([resolved({ position: 1n })], dropped()),
      new StubSubscription([resolved({ position: 2n })], 'hang'),
    ];
    const openedAt: number[] = [];
    const subscription = resubscribing(() => {
      openedAt.push(Date.now());
      return calls.shift()!;
    }, undefined);
    const seen = settled(take(subscription, 2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen.state).toBe('fulfilled');
    expect(openedAt.slice(1).map((at, i) => at - openedAt[i]!)).toEqual([20, 40, 80, 20]);
    await subscription.close();
  });

  it('ends with EventStoreAccessDenied when the server refuses the subscription, and cancels the call', async () => {
    const call = new StubSubscription([], grpcFailure(7, 'Access denied', 'access-denied'));
    const open = vi.fn(() => call);
    const subscription = resubscribing(open, undefined);
    const iterator = subscription[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow(EventStoreAccessDenied);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(open).toHaveBeenCalledOnce();
    expect(call.unsubscribe).toHaveBeenCalled();
  });

  it('ends promptly when closed during a backoff, without opening another call', async () => {
    const open = vi.fn(() => new StubSubscription([], grpcFailure(14, 'Connection dropped')));
    const subscription = new ResubscribingSubscription({ open, after: undefined, backoff: { firstMs: 60_000, capMs: 60_000, random: () => 1 }, released: () => {} });
    const pending = subscription[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await subscription.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(open).toHaveBeenCalledOnce();
  });
});

describe('connecting through the real client', () => {
  it('gives up within the deadline on an address that accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      await expect(EsdbEventStore.connect(`esdb://127.0.0.1:${port}?tls=false&defaultDeadline=300`)).rejects.toThrow(
        /did not answer the request for its version within 300 ms/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

/** A read that never yields, as the client's is when the server does not answer. */
type SilentRead = Readable & { cancel: ReturnType<typeof vi.fn> };

function silentRead(): SilentRead {
  return Object.assign(new Readable({ objectMode: true, read() {} }), { cancel: vi.fn(async () => {}) });
}

function readOf(events: AllStreamResolvedEvent[]): Readable & { cancel: () => Promise<void> } {
  return Object.assign(Readable.from(events, { objectMode: true }), { cancel: async () => {} });
}

function failingRead(error: Error): Readable & { cancel: () => Promise<void> } {
  return Object.assign(
    new Readable({
      objectMode: true,
      read() {
        this.destroy(error);
      },
    }),
    { cancel: async () => {} },
  );
}

function remember<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}

/** The stub's calls fail unless the test gives them. */
function stubClient(calls: Partial<Record<keyof EsdbClient, (...args: never[]) => unknown>>): EsdbClient {
  const unexpected = (name: string) => () => {
    throw new Error(`unexpected call of ${name}`);
  };
  return {
    appendToStream: calls.appendToStream ?? unexpected('appendToStream'),
    readStream: calls.readStream ?? unexpected('readStream'),
    readAll: calls.readAll ?? unexpected('readAll'),
    subscribeToAll: calls.subscribeToAll ?? unexpected('subscribeToAll'),
    dispose: calls.dispose ?? (async () => {}),
  } as unknown as EsdbClient;
}

/** A failed gRPC call as the client turns it into its own error. */
function grpcFailure(code: number, details: string, exception?: string, metadata: Record<string, string> = {}): Error {
  const map = { ...(exception === undefined ? {} : { exception }), ...metadata };
  return convertToCommandError({ name: 'Error', message: `${code} ${details}`, code, details, metadata: { getMap: () => map } } as never) as Error;
}

function resolved({ streamId = 'order-1', revision = 0n, position }: { streamId?: string; revision?: bigint; position: bigint }): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: `event-${position}`,
      revision,
      type: 'Placed',
      data: { at: 'now' },
      metadata: {},
      isJson: true,
      created: new Date(0),
      position: { commit: position, prepare: position },
    },
  } as AllStreamResolvedEvent;
}

function appended() {
  return { eventId: '9a1c1a2e-5a9b-4f55-9d3e-5a8a4c3b2d1e', type: 'Placed', data: { at: 'now' }, metadata: {} };
}

/** One subscription call of the stubbed client: some events, then a failure, an end, or silence. */
class StubSubscription implements ClientSubscription {
  readonly unsubscribe = vi.fn(async () => {
    this.release?.({ done: true, value: undefined });
  });
  private release: ((result: IteratorResult<AllStreamResolvedEvent>) => void) | null = null;

  constructor(
    private readonly events: AllStreamResolvedEvent[],
    private readonly then: Error | 'end' | 'hang',
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<AllStreamResolvedEvent> {
    return {
      next: async () => {
        const event = this.events.shift();
        if (event) return { done: false, value: event };
        if (this.then === 'end') return { done: true, value: undefined };
        if (this.then instanceof Error) throw this.then;
        return new Promise((resolve) => (this.release = resolve));
      },
      return: async () => {
        this.release?.({ done: true, value: undefined });
        return { done: true, value: undefined };
      },
    };
  }
}

function resubscribing(open: (after: number | undefined) => ClientSubscription, after: number | undefined): ResubscribingSubscription {
  return new ResubscribingSubscription({ open, after, backoff: { firstMs: 20, capMs: 80, random: () => 1 }, released: () => {} });
}

async function take(subscription: ResubscribingSubscription, count: number): Promise<RecordedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const events: RecordedEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) throw new Error('The subscription ended');
    events.push(next.value);
  }
  return events;
}

/** A promise's state, readable while fake timers hold it. */
function settled<T>(promise: Promise<T>): { state: 'pending' | 'fulfilled' | 'rejected'; reason?: unknown } {
  const outcome: { state: 'pending' | 'fulfilled' | 'rejected'; reason?: unknown } = { state: 'pending' };
  promise.then(
    () => (outcome.state = 'fulfilled'),
    (reason: unknown) => {
      outcome.state = 'rejected';
      outcome.reason = reason;
    },
  );
  return outcome;
}
