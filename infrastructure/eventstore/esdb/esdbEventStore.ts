import {
  ANY,
  AccessDeniedError,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONType,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  EventStoreAccessDenied,
  EventStoreUnavailable,
  WrongExpectedRevision,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
} from '../../../application/ports/eventStore.js';

const READ_ALL_DEFAULT_MAX = 1_000;
/** Streams whose first events firstPositions asks for at once. */
const FIRST_POSITIONS_AT_ONCE = 16;
/** The client's own default deadline, for a connection string that sets no defaultDeadline. */
const DEFAULT_DEADLINE_MS = 10_000;
/** Readiness answers within a load balancer's probe timeout, whatever the deadline of other calls. */
const PING_TIMEOUT_MS = 2_000;
/** 22.6 is the first server whose stream reads carry the events' positions; older ones send 2^64-1. */
const OLDEST_SUPPORTED_SERVER = { major: 22, minor: 6 };
const RESUBSCRIBE_BACKOFF: Backoff = { firstMs: 100, capMs: 5_000, random: Math.random };

/** The calls the store makes of the client: connect() hands it the real one, the adapter's unit test a stub. */
export type EsdbClient = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

/** What the client is given for an EVENTSTORE_URL, and how long any one call may take. */
export type EsdbConnection = { connectionString: string; deadlineMs: number };

/**
 * The event store on EventStoreDB / KurrentDB. A position is the event's commit position in
 * $all. System events (types starting with '$', or anything in a '$' stream) are not part of
 * the log this port describes and are left out of readAll, subscriptions and headPosition.
 *
 * The client bounds neither reads nor subscriptions (it gives them no deadline), so every call
 * here is raced against the connection string's defaultDeadline, and a ping against a shorter one.
 */
export class EsdbEventStore implements EventStore {
  private closing: Promise<void> | null = null;
  private readonly subscriptions = new Set<ResubscribingSubscription>();
  /** Calls under way, which close() lets finish (each is bounded) before disposing of the client. */
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Connects and checks that the server is one whose answers this adapter can use. */
  static async connect(url: string): Promise<EsdbEventStore> {
    const { connectionString, deadlineMs } = esdbConnection(url);
    const client = EventStoreDBClient.connectionString(connectionString);
    const asking = 'the request for its version';
    try {
      const version = await withinTimeout(() => serverVersionOf(client), deadlineMs, () => unanswered(asking, deadlineMs)).catch((error: unknown) => {
        throw translated(error, asking);
      });
      const unsupported = unsupportedServer(version);
      if (unsupported) throw new Error(unsupported);
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return new EsdbEventStore(client, deadlineMs);
  }

  /** connect() is the way in; this takes any client with the calls the store makes. */
  constructor(
    private readonly client: EsdbClient,
    private readonly deadlineMs: number,
  ) {}

  append(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new Error(`An append to ${streamId} needs at least one event`));
    const proposed = events.map((event) =>
      jsonEvent({ id: event.eventId, type: event.type, data: event.data as JSONType, metadata: event.metadata }),
    );
    return this.call(`the append to ${streamId}`, this.deadlineMs, async (abandoned) => {
      // A refusal is thrown, never reported as `success: false`: esdbConnection() refuses throwOnAppendFailure=false.
      const written = await this.client
        .appendToStream(streamId, proposed, { expectedRevision: toEsdbExpectedRevision(options.expectedRevision) })
        .catch((error: unknown) => {
          if (error instanceof WrongExpectedVersionError) {
            throw new WrongExpectedRevision(streamId, options.expectedRevision, fromCurrentRevision(error.actualVersion));
          }
          throw error;
        });
      // The reply carries the position of the last event written, or of the stored one on an
      // idempotent retry; it lacks one only for a retry the server has not yet indexed.
      const commit = written.position?.commit;
      const position = commit === undefined ? await this.positionAt(streamId, written.nextExpectedRevision, abandoned) : toSafeNumber(commit, 'position');
      return { nextRevision: toSafeNumber(written.nextExpectedRevision, 'revision'), position };
    });
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    return this.call(`a read of ${streamId}`, this.deadlineMs, async (abandoned) => {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      try {
        return await collect(read, Number.POSITIVE_INFINITY, abandoned);
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
    });
  }

  /**
   * EventStoreDB has no index on metadata, so the stream is read through, keeping only the
   * command's events: in time linear in the stream, in memory of the command's events alone.
   */
  readCommandEvents(streamId: string, commandId: string): Promise<RecordedEvent[]> {
    return this.call(`a search of ${streamId} for command ${commandId}`, this.deadlineMs, async (abandoned) => {
      const read = this.client.readStream(streamId, { direction: FORWARDS, fromRevision: START });
      try {
        return await collect(read, Number.POSITIVE_INFINITY, abandoned, (event) => event.metadata.commandId === commandId);
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
    });
  }

  /** Each stream's first event read on its own, a few streams at a time. */
  async firstPositions(streamIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let from = 0; from < streamIds.length; from += FIRST_POSITIONS_AT_ONCE) {
      const streams = streamIds.slice(from, from + FIRST_POSITIONS_AT_ONCE);
      const firsts = await Promise.all(streams.map((streamId) => this.readStream(streamId, { maxCount: 1 })));
      firsts.forEach(([first], i) => first && found.set(streams[i]!, first.position));
    }
    return found;
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after;
    return this.call('a read of $all', this.deadlineMs, (abandoned) =>
      collect(
        this.client.readAll({ direction: FORWARDS, fromPosition: readPosition(after) }),
        options.maxCount ?? READ_ALL_DEFAULT_MAX,
        abandoned,
        // A read includes the event at its start; the port's `after` does not.
        (event) => after === undefined || event.position > after,
      ),
    );
  }

  subscribeToAll(options: { after?: number } = {}): Subscription {
    if (this.closing) throw closedError();
    const subscription = new ResubscribingSubscription({
      // The server starts a subscription after the position it is given.
      open: (after) => this.client.subscribeToAll({ fromPosition: readPosition(after), filter: excludeSystemEvents() }),
      after: options.after,
      backoff: RESUBSCRIBE_BACKOFF,
      released: (closed) => this.subscriptions.delete(closed),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number | null> {
    const [newest] = await this.call('a read of the end of $all', this.deadlineMs, (abandoned) =>
      collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END }), 1, abandoned),
    );
    return newest?.position ?? null;
  }

  async ping(): Promise<void> {
    // Reading one record of $all answers as soon as the node serves reads, and is refused to a
    // user who may not read $all, as the subscriptions would be.
    await this.call('a read of $all', PING_TIMEOUT_MS, (abandoned) =>
      collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }), 1, abandoned),
    );
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await Promise.allSettled([...this.inFlight]);
      await this.client.dispose();
    })();
    return this.closing;
  }

  /** Runs one call: refused once closed, given up after `timeoutMs`, its errors in the port's terms. */
  private async call<T>(what: string, timeoutMs: number, work: (abandoned: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closing) throw closedError();
    const running = withinTimeout(work, timeoutMs, () => unanswered(what, timeoutMs));
    this.inFlight.add(running);
    try {
      return await running;
    } catch (error) {
      throw translated(error, what);
    } finally {
      this.inFlight.delete(running);
    }
  }

  /** From the leader: a follower may not have the event yet. */
  private async positionAt(streamId: string, revision: bigint, abandoned: AbortSignal): Promise<number> {
    const read = this.client.readStream(streamId, { fromRevision: revision, maxCount: 1, requiresLeader: true });
    const [event] = await collect(read, 1, abandoned);
    if (!event) throw new Error(`Event ${revision} of ${streamId} was appended but cannot be read back`);
    return event.position;
  }
}

/** What a subscription needs of the client's: its events, and a way to end the call. */
export type ClientSubscription = AsyncIterable<AllStreamResolvedEvent> & { unsubscribe(): Promise<void> };

/** Delays between resubscriptions: doubling from `firstMs` up to `capMs`, each drawn in its upper half. */
export type Backoff = { firstMs: number; capMs: number; random: () => number };

/** The wait before resubscribing after `failures` drops in a row with no event between them. */
export function resubscribeDelay(failures: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.capMs, backoff.firstMs * 2 ** failures);
  return ceiling / 2 + (backoff.random() * ceiling) / 2;
}

/**
 * A catch-up subscription that survives its gRPC call: the client never resubscribes, so when the
 * call fails for a reason that passes (the node unavailable or no longer leader, a deadline, a
 * cancel or an end we did not ask for), this opens a new one after the last event it handed out,
 * after a backoff. Any other failure is the consumer's to see. Ends promptly on close().
 */
export class ResubscribingSubscription implements Subscription {
  private current: ClientSubscription;
  private events: AsyncIterator<AllStreamResolvedEvent>;
  private lastHandedOut: number | undefined;
  private failures = 0;
  private closed = false;
  private readonly closedSignal: Promise<IteratorResult<RecordedEvent>>;
  private signalClosed!: () => void;
  private wakeFromBackoff: (() => void) | null = null;
  /** Serialises overlapping next() calls so that each event is handed out once, in order. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: {
      open: (after: number | undefined) => ClientSubscription;
      after: number | undefined;
      backoff: Backoff;
      released: (subscription: ResubscribingSubscription) => void;
    },
  ) {
    this.lastHandedOut = options.after;
    this.current = options.open(options.after);
    this.events = this.current[Symbol.asyncIterator]();
    this.closedSignal = new Promise((resolve) => {
      this.signalClosed = () => resolve({ done: true, value: undefined });
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => {
        const result = this.tail.then(() => this.pull());
        this.tail = result.catch(() => undefined);
        return Promise.race([result, this.closedSignal]);
      },
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.signalClosed();
    await this.stop();
  }

  /** No more events: the call is cancelled, a backoff cut short, and the store forgets the subscription. */
  private async stop(): Promise<void> {
    this.closed = true;
    this.wakeFromBackoff?.();
    this.options.released(this);
    await this.endCurrent();
  }

  private async pull(): Promise<IteratorResult<RecordedEvent>> {
    while (!this.closed) {
      let next: IteratorResult<AllStreamResolvedEvent>;
      try {
        next = await this.events.next();
      } catch (error) {
        if (this.closed) break;
        if (!isPassing(error)) {
          // Not close(): its signal would end the consumer's next() before the error reached it.
          await this.stop();
          throw translated(error, 'the subscription to $all');
        }
        await this.resubscribe();
        continue;
      }
      if (this.closed) break;
      if (next.done) {
        await this.resubscribe();
        continue;
      }
      this.failures = 0;
      const event = toRecordedEvent(next.value);
      // The server starts after the position it is given; this keeps the promise of once, in
      // order, whatever a resubscription replays.
      if (event && (this.lastHandedOut === undefined || event.position > this.lastHandedOut)) {
        this.lastHandedOut = event.position;
        return { done: false, value: event };
      }
    }
    return { done: true, value: undefined };
  }

  private async resubscribe(): Promise<void> {
    await this.endCurrent();
    await this.sleep(resubscribeDelay(this.failures, this.options.backoff));
    this.failures += 1;
    if (this.closed) return;
    this.current = this.options.open(this.lastHandedOut);
    this.events = this.current[Symbol.asyncIterator]();
  }

  /** Cancels the gRPC call, which ending the stream alone would leave running. */
  private async endCurrent(): Promise<void> {
    // A call whose channel never opened has nothing to cancel.
    await this.current.unsubscribe().catch(() => undefined);
    await this.events.return?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeFromBackoff = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeFromBackoff = done;
    });
  }
}

/**
 * The connection string the client can parse and the deadline of every call. The client (6.2.1)
 * parses only esdb:// and esdb+discover://, so the kurrentdb:// and kurrent:// forms are rewritten.
 * Throws, saying why, for a string this adapter cannot work with.
 */
export function esdbConnection(url: string): EsdbConnection {
  const scheme = /^(?:esdb|kurrentdb|kurrent)(\+discover)?:\/\//.exec(url);
  if (!scheme) throw new Error('must be an esdb:// or kurrentdb:// connection string');
  const rest = url.slice(scheme[0].length);
  const options = connectionOptions(rest);
  if (options.get('throwonappendfailure') === 'false') {
    throw new Error('throwOnAppendFailure=false would report a refused append as written; remove it from the connection string');
  }
  // An unreadable or non-positive value is left for the client to refuse, naming it.
  const deadline = Number.parseInt(options.get('defaultdeadline') ?? '', 10);
  return { connectionString: `esdb${scheme[1] ?? ''}://${rest}`, deadlineMs: deadline > 0 ? deadline : DEFAULT_DEADLINE_MS };
}

/** The query's options as the client reads them: keys without case, '-' or '_', values trimmed. */
function connectionOptions(rest: string): Map<string, string> {
  const query = rest.trim().replace(/\/+$/, '').split('?')[1] ?? '';
  return new Map(
    query
      .split('&')
      .map((pair) => pair.split('='))
      .filter((pair): pair is [string, string] => pair.length === 2)
      .map(([key, value]) => [key.trim().toLowerCase().replace(/[_-]/g, ''), value.trim()]),
  );
}

/** Why the server's version is one this adapter cannot use, or null when it can. */
export function unsupportedServer(version: string): string | null {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const { major: oldestMajor, minor: oldestMinor } = OLDEST_SUPPORTED_SERVER;
  if (major > oldestMajor || (major === oldestMajor && minor >= oldestMinor)) return null;
  // The client reports 'unknown' for a server without the features API, that is before 21.10.
  const reported = version === 'unknown' ? 'a version older than 21.10' : `version ${version}`;
  return (
    `The server at EVENTSTORE_URL reports ${reported}; this service needs EventStoreDB ${oldestMajor}.${oldestMinor} or later, or any KurrentDB ` +
    `(older servers give events read from a stream no position)`
  );
}

/** The version the server reports in its features; the client keeps them behind a getter TypeScript calls protected. */
function serverVersionOf(client: EventStoreDBClient): Promise<string> {
  const features = (client as unknown as { capabilities: Promise<{ serverVersion: string }> }).capabilities;
  return features.then((found) => found.serverVersion);
}

/** The work's outcome, or `timedOut()` once `ms` pass; the work is told through its signal to give up. */
export async function withinTimeout<T>(work: (abandoned: AbortSignal) => Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  const abandon = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon.abort();
      reject(timedOut());
    }, ms);
  });
  try {
    return await Promise.race([work(abandon.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Failures that pass: the node down or no longer leader, a deadline, or a cancel we did not ask for. */
function isPassing(error: unknown): boolean {
  return (
    error instanceof UnavailableError ||
    error instanceof NotLeaderError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError
  );
}

/** The client's errors in the port's terms; others as they are. */
function translated(error: unknown, what: string): unknown {
  if (error instanceof AccessDeniedError) {
    return new EventStoreAccessDenied(
      `EventStoreDB/KurrentDB denied ${what} to the user in EVENTSTORE_URL: the service reads $all, which only members of $admins ` +
        'may do unless $all is granted to it, and reads and writes its own streams (see the README)',
      { cause: error },
    );
  }
  if (isPassing(error)) return new EventStoreUnavailable(`EventStoreDB/KurrentDB could not serve ${what}: ${(error as Error).message}`, { cause: error });
  return error;
}

function unanswered(what: string, ms: number): EventStoreUnavailable {
  return new EventStoreUnavailable(`EventStoreDB/KurrentDB did not answer ${what} within ${ms} ms`);
}

function closedError(): Error {
  return new Error('The event store is closed');
}

/** Up to `max` user events from a read, cancelling the read once it has them or they are no longer wanted. */
async function collect(
  read: StreamingRead<ResolvedEvent | AllStreamResolvedEvent>,
  max: number,
  abandoned: AbortSignal,
  keep: (event: RecordedEvent) => boolean = () => true,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  if (max <= 0) {
    await read.cancel();
    return events;
  }
  abandoned.addEventListener(
    'abort',
    () => {
      read.destroy();
      // Destroying the stream does not end the gRPC call feeding it; a call that never started has nothing to cancel.
      read.cancel().catch(() => undefined);
    },
    { once: true },
  );
  for await (const resolved of read) {
    const event = toRecordedEvent(resolved);
    if (event && keep(event)) events.push(event);
    if (events.length >= max) {
      // Leaving the loop destroys the Node stream but not the gRPC call feeding it.
      await read.cancel();
      break;
    }
  }
  return events;
}

function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null {
  const event = resolved.event;
  if (!event || event.type.startsWith('$') || event.streamId.startsWith('$')) return null;
  const commit = event.position?.commit ?? resolved.commitPosition;
  if (commit === undefined) throw new Error(`EventStoreDB returned event ${event.id} without a position`);
  return {
    streamId: event.streamId,
    revision: toSafeNumber(event.revision, 'revision'),
    position: toSafeNumber(commit, 'position'),
    eventId: event.id,
    type: event.type,
    data: event.data,
    metadata: isMetadata(event.metadata) ? event.metadata : {},
  };
}

function isMetadata(value: unknown): value is EventMetadata {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Where a read or a subscription starts for the port's `after`: the whole log when it is undefined. */
function readPosition(after: number | undefined): ReadPosition {
  if (after === undefined) return START;
  const position: Position = { commit: BigInt(after), prepare: BigInt(after) };
  return position;
}

function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

function fromCurrentRevision(current: CurrentRevision): number | 'no_stream' {
  return current === NO_STREAM ? 'no_stream' : toSafeNumber(current, 'revision');
}

function toSafeNumber(value: bigint, what: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`EventStoreDB ${what} ${value} is beyond a safe integer`);
  return number;
}
