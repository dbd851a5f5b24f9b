/**
 * The event log. Streams are named "<category>-<id>"; revisions count from 0 inside a
 * stream; positions are global, monotonic and never reused.
 */

/** What a writer believed about the stream before appending. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export type EventMetadata = Record<string, unknown>;

export type EventToAppend = {
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
};

export type RecordedEvent = {
  streamId: string;
  revision: number;
  position: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
};

export type AppendResult = {
  /** Revision of the last event now in the stream. */
  nextRevision: number;
  /** Global position of the last event appended. */
  position: number;
};

export type ReadStreamOptions = {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the first event (forwards) or the last (backwards). */
  fromRevision?: number;
  maxCount?: number;
};

export type ReadAllOptions = {
  /** Exclusive: return events whose position is greater. Omitted means from the start. */
  after?: number;
  maxCount?: number;
};

/**
 * A catch-up subscription: replays from `after`, then continues with new events, each once and in
 * position order. An adapter whose connection can drop resubscribes after the last event it handed
 * out; a failure that does not pass (EventStoreAccessDenied, say) ends it with that error.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends all events or none. Throws WrongExpectedRevision when the stream is not
   * where the writer expected it. Appending events whose ids are already stored, in the
   * same stream and order, returns the original result and writes nothing; that is
   * guaranteed only with 'no_stream' or an exact revision: with 'any' or 'stream_exists',
   * EventStoreDB recognises only recent writes, and may store the events again.
   * Throws EventStoreUnavailable when the outcome is not known: the events may or may not be stored.
   */
  append(streamId: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** The stream's events; an empty list when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * The events of the stream whose metadata names `commandId` as their `commandId`, in revision
   * order; an empty list when there are none. How a retried command finds what it wrote before,
   * without reading the whole stream where the store can look events up by it.
   */
  readCommandEvents(streamId: string, commandId: string): Promise<RecordedEvent[]>;
  /**
   * The position of the first event of each named stream that holds one, keyed by stream id: where
   * each stream joins the log, so a reader merging many streams opens each only when it gets there.
   */
  firstPositions(streamIds: readonly string[]): Promise<Map<string, number>>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: { after?: number }): Subscription;
  /** Position of the newest event in the log, or null when the log is empty. */
  headPosition(): Promise<number | null>;
  /**
   * Resolves when the store answers, within a short time; throws otherwise, with
   * EventStoreAccessDenied when the store refuses the service a right it needs.
   */
  ping(): Promise<void>;
  /** Lets calls under way finish and ends subscriptions; every call after it is refused. */
  close(): Promise<void>;
}

/**
 * The store cannot serve a call now: it did not answer in time, cannot be reached, or is changing
 * leader. An adapter on a remote store bounds every call but a subscription's in time and throws
 * this rather than hang; the same call may succeed later.
 */
export class EventStoreUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventStoreUnavailable';
  }
}

/** The store refuses the service's user a right the service needs: an operator must grant it. */
export class EventStoreAccessDenied extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventStoreAccessDenied';
  }
}

export class WrongExpectedRevision extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId} expected at ${String(expected)} but is at ${String(actual)}`);
    this.name = 'WrongExpectedRevision';
  }
}
