import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONType,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
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
const PING_DEADLINE_MS = 2_000;

/**
 * The event store on EventStoreDB / KurrentDB. A position is the event's commit position in
 * $all. System events (types starting with '$', or anything in a '$' stream) are not part of
 * the log this port describes and are left out of readAll, subscriptions and headPosition.
 */
export class EsdbEventStore implements EventStore {
  private closing: Promise<void> | null = null;
  private readonly subscriptions = new Set<EsdbSubscription>();

  static connect(connectionString: string): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  private constructor(private readonly client: EventStoreDBClient) {}

  async append(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`An append to ${streamId} needs at least one event`);
    const proposed = events.map((event) =>
      jsonEvent({ id: event.eventId, type: event.type, data: event.data as JSONType, metadata: event.metadata }),
    );
    const written = await this.client
      .appendToStream(streamId, proposed, { expectedRevision: toEsdbExpectedRevision(options.expectedRevision) })
      .catch((error: unknown) => {
        if (error instanceof WrongExpectedVersionError) {
          throw new WrongExpectedRevision(streamId, options.expectedRevision, fromCurrentRevision(error.actualVersion));
        }
        throw error;
      });
    const commit = written.position?.commit;
    // For one event the reported position is that event's (and, on an idempotent replay, the
    // stored event's). For several, the server reports the write as a whole, while the port
    // promises the last event's position: read it back.
    const position =
      events.length === 1 && commit !== undefined && commit >= 0n && commit <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(commit)
        : await this.positionAt(streamId, written.nextExpectedRevision);
    return { nextRevision: toSafeNumber(written.nextExpectedRevision, 'revision'), position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    try {
      return await collect(read, Number.POSITIVE_INFINITY);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after;
    return collect(
      this.client.readAll({ direction: FORWARDS, fromPosition: fromPositionAfter(after) }),
      options.maxCount ?? READ_ALL_DEFAULT_MAX,
      (event) => after === undefined || event.position > after,
    );
  }

  subscribeToAll(options: { after?: number } = {}): Subscription {
    if (this.closing) throw new Error('The event store is closed');
    const after = options.after;
    const subscription = new EsdbSubscription(
      this.client.subscribeToAll({ fromPosition: fromPositionAfter(after), filter: excludeSystemEvents() }),
      after,
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number | null> {
    const [newest] = await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END }), 1);
    return newest?.position ?? null;
  }

  async ping(): Promise<void> {
    // Reading one record of $all answers as soon as the node serves reads.
    await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: PING_DEADLINE_MS }), 1);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.client.dispose();
    })();
    return this.closing;
  }

  private async positionAt(streamId: string, revision: bigint): Promise<number> {
    const [event] = await collect(this.client.readStream(streamId, { fromRevision: revision, maxCount: 1 }), 1);
    if (!event) throw new Error(`Event ${revision} of ${streamId} was appended but cannot be read back`);
    return event.position;
  }
}

/** Ends promptly on close(), whatever the gRPC stream underneath is still doing. */
class EsdbSubscription implements Subscription {
  private readonly events: AsyncIterator<AllStreamResolvedEvent>;
  private closed = false;
  private readonly closedSignal: Promise<IteratorResult<RecordedEvent>>;
  private signalClosed!: () => void;

  constructor(
    private readonly subscription: AllStreamSubscription,
    private readonly after: number | undefined,
    private readonly released: (subscription: EsdbSubscription) => void,
  ) {
    this.events = subscription[Symbol.asyncIterator]();
    this.closedSignal = new Promise((resolve) => {
      this.signalClosed = () => resolve({ done: true, value: undefined });
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => Promise.race([this.nextEvent(), this.closedSignal]),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClosed();
    this.released(this);
    await this.subscription.unsubscribe();
    await this.events.return?.();
  }

  private async nextEvent(): Promise<IteratorResult<RecordedEvent>> {
    while (!this.closed) {
      const next = await this.events.next();
      if (next.done) break;
      const event = toRecordedEvent(next.value);
      // The server starts at the checkpoint inclusively; the port's `after` is exclusive.
      if (event && (this.after === undefined || event.position > this.after)) return { done: false, value: event };
    }
    return { done: true, value: undefined };
  }
}

/** Up to `max` user events from a read, cancelling the read once it has them. */
async function collect(
  read: StreamingRead<ResolvedEvent | AllStreamResolvedEvent>,
  max: number,
  keep: (event: RecordedEvent) => boolean = () => true,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  if (max <= 0) {
    await read.cancel();
    return events;
  }
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

/** ESDB reads from a position inclusively; the caller skips the event at exactly `after`. */
function fromPositionAfter(after: number | undefined): ReadPosition {
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
