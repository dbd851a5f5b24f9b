import Database from 'better-sqlite3';
import {
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
} from '../../../application/ports/eventStore.js';
import { SerialSubscription } from '../../../application/serialSubscription.js';
import { metadataFromStored, storedMetadata } from './metadataCodec.js';
import { COMMAND_ID, eventStoreIndexes, eventStoreSchema } from './schema.js';

const BUSY_TIMEOUT_MS = 5_000;
const READ_ALL_DEFAULT_MAX = 1_000;
const SUBSCRIPTION_PAGE = 500;
/** Commits made here wake subscriptions at once; polling is for writers in other processes. */
const POLL_INTERVAL_MS = 250;

/** Rows come back as arrays, in the SELECT's column order: cheaper than one object per row. */
type EventRow = [position: number, streamId: string, revision: number, eventId: string, type: string, data: string, metadata: string];

type StoredEventRef = { stream_id: string; revision: number; position: number; event_id: string };

/** An event already turned into the text it is stored as (metadata in the form of metadataCodec.ts). */
type SerializedEvent = { eventId: string; type: string; data: string; metadata: string };

type PendingAppend = {
  streamId: string;
  events: SerializedEvent[];
  expectedRevision: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** What a subscription needs from the store: pages of the log and a wake-up after each commit. */
type LogSource = {
  read(after: number, maxCount: number): RecordedEvent[];
  onCommit(listener: () => void): () => void;
  released(subscription: PollingSubscription): void;
};

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous = FULL, so an
 * acknowledged append survives a power loss. Appends are group-committed: every request
 * queued in the same tick is written in one transaction (one fsync), each inside its own
 * savepoint so that a refused request leaves the others of its batch untouched.
 */
export class SqliteEventStore implements EventStore {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closing: Promise<void> | null = null;
  private readonly commitListeners = new Set<() => void>();
  private readonly subscriptions = new Set<PollingSubscription>();

  private readonly byEventId;
  private readonly eventRefsFrom;
  private readonly lastRevision;
  private readonly insert;
  private readonly streamForwards;
  private readonly streamBackwards;
  private readonly commandEvents;
  private readonly firstEvents;
  private readonly allAfter;
  private readonly head;
  private readonly one;
  private readonly writeBatch;
  private readonly appendInSavepoint;

  static open(filename: string): SqliteEventStore {
    const db = new Database(filename);
    // Set first, so that switching to WAL also waits for a writer in another process.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(eventStoreSchema);
    db.exec(eventStoreIndexes);
    return new SqliteEventStore(db);
  }

  private constructor(private readonly db: Database.Database) {
    this.byEventId = db.prepare<[string], StoredEventRef>(
      'SELECT stream_id, revision, position, event_id FROM events WHERE event_id = ?',
    );
    this.eventRefsFrom = db.prepare<[string, number, number], StoredEventRef>(
      `SELECT stream_id, revision, position, event_id FROM events
       WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    );
    this.lastRevision = db.prepare<[string], { revision: number }>(
      'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    );
    this.insert = db.prepare<[string, number, string, string, string, string, string]>(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.streamForwards = db.prepare<[string, number, number], EventRow>(
      `SELECT position, stream_id, revision, event_id, type, data, metadata FROM events
       WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ).raw(true);
    this.streamBackwards = db.prepare<[string, number, number], EventRow>(
      `SELECT position, stream_id, revision, event_id, type, data, metadata FROM events
       WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ).raw(true);
    // Named, since the planner would rather walk the whole stream in revision order (the ORDER BY)
    // than look the command up; the expression is the index's, word for word.
    this.commandEvents = db.prepare<[string, string], EventRow>(
      `SELECT position, stream_id, revision, event_id, type, data, metadata FROM events INDEXED BY events_by_command_id
       WHERE stream_id = ? AND ${COMMAND_ID} = ? ORDER BY revision`,
    ).raw(true);
    // One seek per stream in the (stream_id, revision) index: no event is read or parsed.
    this.firstEvents = db.prepare<[string], { stream_id: string; position: number }>(
      'SELECT stream_id, position FROM events WHERE revision = 0 AND stream_id IN (SELECT value FROM json_each(?))',
    );
    this.allAfter = db.prepare<[number, number], EventRow>(
      `SELECT position, stream_id, revision, event_id, type, data, metadata FROM events
       WHERE position > ? ORDER BY position LIMIT ?`,
    ).raw(true);
    this.head = db.prepare<[], { head: number | null }>('SELECT MAX(position) AS head FROM events');
    this.one = db.prepare<[], { one: number }>('SELECT 1 AS one');

    // Called inside writeBatch, better-sqlite3 runs this as a SAVEPOINT: a throw rolls back
    // only this request's rows.
    this.appendInSavepoint = db.transaction((request: PendingAppend) => this.appendOne(request));
    this.writeBatch = db.transaction((batch: PendingAppend[]) =>
      batch.map((request): Outcome => {
        try {
          return { ok: true, result: this.appendInSavepoint(request) };
        } catch (error) {
          // Some failures (I/O, disk full) make SQLite abandon the whole transaction; carrying
          // on would write the rest of the batch in autocommit mode, outside the group.
          if (!this.db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  append(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new Error('The event store is closed'));
    let serialized: SerializedEvent[];
    try {
      serialized = serialize(streamId, events);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events: serialized, expectedRevision: options.expectedRevision, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? -1;
    const rows =
      options.direction === 'backwards'
        ? this.streamBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.streamForwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(toRecordedEvent);
  }

  async readCommandEvents(streamId: string, commandId: string): Promise<RecordedEvent[]> {
    return this.commandEvents.all(streamId, commandId).map(toRecordedEvent);
  }

  async firstPositions(streamIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(this.firstEvents.all(JSON.stringify(streamIds)).map((row) => [row.stream_id, row.position]));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readPage(options.after ?? 0, options.maxCount ?? READ_ALL_DEFAULT_MAX);
  }

  subscribeToAll(options: { after?: number } = {}): Subscription {
    if (this.closing) throw new Error('The event store is closed');
    const subscription = new PollingSubscription(options.after ?? 0, {
      read: (after, maxCount) => this.readPage(after, maxCount),
      onCommit: (listener) => {
        this.commitListeners.add(listener);
        return () => this.commitListeners.delete(listener);
      },
      released: (closed) => this.subscriptions.delete(closed),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number | null> {
    return this.head.get()?.head ?? null;
  }

  async ping(): Promise<void> {
    this.one.get();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Appends already accepted are written before the connection goes.
    this.flush();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.db.close();
  }

  private readPage(after: number, maxCount: number): RecordedEvent[] {
    return this.allAfter.all(after, maxCount).map(toRecordedEvent);
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      // IMMEDIATE takes the write lock up front, so a writer in another process makes us wait
      // (busy_timeout) instead of failing halfway through the batch.
      outcomes = this.writeBatch.immediate(batch);
    } catch (error) {
      // The transaction as a whole failed: nothing of this batch is stored.
      for (const request of batch) request.reject(error);
      return;
    }
    // Only now, after COMMIT returned, is any of it acknowledged.
    batch.forEach((request, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) request.resolve(outcome.result);
      else request.reject(outcome.error);
    });
    if (outcomes.some((outcome) => outcome.ok)) {
      for (const listener of this.commitListeners) listener();
    }
  }

  private appendOne({ streamId, events, expectedRevision }: PendingAppend): AppendResult {
    // A retry of a stored append must succeed even though the stream has moved on since, so
    // the event ids are looked at before the expected revision.
    const first = this.byEventId.get(events[0]!.eventId);
    if (first) return this.storedResult(streamId, events, first);

    const current = this.lastRevision.get(streamId)?.revision;
    checkExpectedRevision(streamId, expectedRevision, current);

    const recordedAt = new Date().toISOString();
    let revision = current ?? -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      try {
        const { lastInsertRowid } = this.insert.run(
          streamId, revision, event.eventId, event.type, event.data, event.metadata, recordedAt,
        );
        position = Number(lastInsertRowid);
      } catch (error) {
        if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('event_id')) {
          throw new Error(
            `Event id ${event.eventId} is already stored, or repeated in this append; nothing was appended to ${streamId}`,
            { cause: error },
          );
        }
        throw error;
      }
    }
    return { nextRevision: revision, position };
  }

  /** The original result when every event of the request is already stored, in this stream and order. */
  private storedResult(streamId: string, events: SerializedEvent[], first: StoredEventRef): AppendResult {
    const stored = first.stream_id === streamId ? this.eventRefsFrom.all(streamId, first.revision, events.length) : [];
    const last = stored.at(-1);
    if (!last || stored.length !== events.length || stored.some((row, i) => row.event_id !== events[i]!.eventId)) {
      throw new Error(
        `Event id ${first.event_id} is already stored in ${first.stream_id} at revision ${first.revision}, ` +
          `but the events of this append to ${streamId} are not that earlier append; nothing was appended`,
      );
    }
    return { nextRevision: last.revision, position: last.position };
  }
}

/**
 * A catch-up subscription: reads the log in pages after its checkpoint and, once at the
 * end, sleeps until the store commits a batch or the poll interval passes.
 */
class PollingSubscription extends SerialSubscription {
  private buffer: RecordedEvent[] = [];
  private wake: (() => void) | null = null;

  constructor(
    private after: number,
    private readonly source: LogSource,
  ) {
    super();
  }

  protected closing(): void {
    this.buffer = [];
    this.wake?.();
    this.source.released(this);
  }

  protected async pull(): Promise<IteratorResult<RecordedEvent>> {
    while (!this.closed) {
      const next = this.buffer.shift();
      if (next) {
        this.after = next.position;
        return { done: false, value: next };
      }
      this.buffer = this.source.read(this.after, SUBSCRIPTION_PAGE);
      if (this.buffer.length === 0) await this.sleep();
    }
    return { done: true, value: undefined };
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopListening();
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, POLL_INTERVAL_MS);
      const stopListening = this.source.onCommit(done);
      this.wake = done;
    });
  }
}

function serialize(streamId: string, events: EventToAppend[]): SerializedEvent[] {
  if (events.length === 0) throw new Error(`An append to ${streamId} needs at least one event`);
  return events.map((event) => ({
    eventId: event.eventId,
    type: event.type,
    data: toJson(event.data, `data of event ${event.eventId}`),
    metadata: storedMetadata(event.eventId, event.metadata, toJson(event.metadata, `metadata of event ${event.eventId}`)),
  }));
}

function toJson(value: unknown, what: string): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`The ${what} cannot be stored as JSON`);
  return json;
}

function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: number | undefined): void {
  const satisfied =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    expected === current;
  if (!satisfied) throw new WrongExpectedRevision(streamId, expected, current ?? 'no_stream');
}

function toRecordedEvent([position, streamId, revision, eventId, type, data, metadata]: EventRow): RecordedEvent {
  return {
    streamId,
    revision,
    position,
    eventId,
    type,
    data: JSON.parse(data) as unknown,
    metadata: metadataFromStored(eventId, metadata),
  };
}
