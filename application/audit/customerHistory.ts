import { customerStreamId } from '../../domain/customer/customer.js';
import type { Actor } from '../commandPipeline.js';
import { NotFound } from '../errors.js';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';
import { replayFoldOf, type ReplayFold } from './replay.js';

/** One event of the customer's dealings, as stored, with what its aggregate was right after it. */
export type HistoryEntry = RecordedEvent & {
  occurredAt: string;
  actor: Actor | null;
  /** The aggregate's state after this event; null for a stream no decider owns. */
  state: unknown;
};

/** A customer's history, whole or a page of it. */
export type CustomerHistory = {
  customerId: string;
  asOf: string;
  /** The streams with an event in `events`, in the order given: for the whole history, every stream with an event by asOf. */
  streams: string[];
  /** Events up to asOf, in log order (position): all of them, or a page's. */
  events: HistoryEntry[];
  /** Each of those streams' aggregate state after its last event in `events`: for the whole history, as it stood at asOf. */
  aggregates: Record<string, unknown>;
};

/** The customer's own stream first, then the others, each once. */
export const streamsOfCustomer = (customerId: string, tiedStreams: readonly string[]) => [...new Set([customerStreamId(customerId), ...tiedStreams])];

/** Reads every named stream; NotFound when none of them holds an event, so the customer never existed. */
export const readCustomerStreams = async (eventStore: EventStore, customerId: string, tiedStreams: readonly string[]) => {
  const streamIds = streamsOfCustomer(customerId, tiedStreams);
  const streams = await Promise.all(streamIds.map(async (streamId) => ({ streamId, events: await eventStore.readStream(streamId) })));
  if (streams.every((s) => s.events.length === 0)) throw new NotFound('Customer', customerId);
  return streams;
};

const occurredAt = (event: RecordedEvent) => String(event.metadata.occurredAt ?? '');

/** Whether an event happened after the cutoff (an unreadable time counts as after, so it never slips into a replay). */
const isAfter = (event: RecordedEvent, cutoff: number) => !(Date.parse(occurredAt(event)) <= cutoff);

/**
 * A stream as it stood at `asOf`: cut at its first event after it rather than filtered, so
 * every state folded from it is one the aggregate really had, even if a clock once stepped back.
 */
export const streamAsOf = (events: RecordedEvent[], asOf: string): RecordedEvent[] => {
  const cutoff = Date.parse(asOf);
  const cut = events.findIndex((event) => isAfter(event, cutoff));
  return cut === -1 ? events : events.slice(0, cut);
};

/** The events read ahead of the walk across all of a customer's streams: its memory, whatever the history's length. */
const READ_AHEAD = 2_000;
/** The most events one read of one stream asks for. */
const LONGEST_READ = 256;

/** One stream of the walk: its state so far and the events read ahead of it, each read twice the one before, up to its share of READ_AHEAD. */
class StreamWalk {
  private state: unknown;
  private ahead: RecordedEvent[] = [];
  private taken = 0;
  private nextRevision = 0;
  private readSize = 1;
  private ended = false;

  constructor(
    readonly streamId: string,
    private readonly fold: ReplayFold,
    private readonly eventStore: EventStore,
    private readonly longestRead: number,
  ) {
    this.state = fold.initialState();
  }

  get head(): RecordedEvent | undefined {
    return this.ahead[this.taken];
  }

  /** Reads on when every event read so far is taken; false once the stream has no more. */
  async readAhead(): Promise<boolean> {
    if (this.taken < this.ahead.length) return true;
    if (this.ended) return false;
    const asked = this.readSize;
    this.readSize = Math.min(asked * 2, this.longestRead);
    this.ahead = await this.eventStore.readStream(this.streamId, { fromRevision: this.nextRevision, maxCount: asked });
    this.taken = 0;
    // A read that comes back short has reached the end the stream had when it was read.
    if (this.ahead.length < asked) this.ended = true;
    const last = this.ahead.at(-1);
    if (!last) return false;
    this.nextRevision = last.revision + 1;
    return true;
  }

  /** The head event, folded into the state. */
  take(): HistoryEntry {
    const event = this.ahead[this.taken]!;
    this.taken += 1;
    this.state = this.fold.evolve(this.state, { type: event.type, data: event.data });
    return { ...event, occurredAt: occurredAt(event), actor: (event.metadata.actor as Actor | undefined) ?? null, state: this.state };
  }
}

/** The streams ordered by the position of their next event: the walk always takes the earliest. */
class EarliestFirst {
  private readonly heap: StreamWalk[] = [];

  /** The position of the earliest next event; undefined when no stream is left. */
  get earliest(): number | undefined {
    const top = this.heap[0];
    return top && positionOf(top);
  }

  push(stream: StreamWalk): void {
    const heap = this.heap;
    heap.push(stream);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (positionOf(heap[parent]!) <= positionOf(heap[at]!)) break;
      [heap[parent], heap[at]] = [heap[at]!, heap[parent]!];
      at = parent;
    }
  }

  pop(): StreamWalk | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || !last) return top;
    heap[0] = last;
    let at = 0;
    for (;;) {
      const [left, right] = [2 * at + 1, 2 * at + 2];
      let least = at;
      if (left < heap.length && positionOf(heap[left]!) < positionOf(heap[least]!)) least = left;
      if (right < heap.length && positionOf(heap[right]!) < positionOf(heap[least]!)) least = right;
      if (least === at) return top;
      [heap[least], heap[at]] = [heap[at]!, heap[least]!];
      at = least;
    }
  }
}

const positionOf = (stream: StreamWalk) => stream.head!.position;

/**
 * A customer's dealings in log order, read a little at a time from each of its streams and merged
 * by position, each stream folded as it goes and cut at its first event after asOf. A stream is
 * first read when the walk reaches the position it starts at, so the first events cost a read of
 * the streams they are in, not of every stream; and it is let go once walked through, so the walk
 * holds the state and a few events (READ_AHEAD in all, at most) of the streams under way, not of
 * every one. Walked once.
 */
export class CustomerHistoryWalk {
  private readonly next = new EarliestFirst();
  private opened = 0;

  private constructor(
    readonly customerId: string,
    /** asOf as an ISO-8601 instant in UTC. */
    readonly asOf: string,
    /** Every stream that holds an event, in the order given. */
    private readonly order: readonly string[],
    /** The same, by the position each starts at, each made a walk when it is reached. */
    private readonly unopened: readonly { start: number; open: () => StreamWalk }[],
  ) {}

  /** Finds where each stream starts; NotFound when none of them holds an event, so the customer never existed. */
  static async open(eventStore: EventStore, customerId: string, tiedStreams: readonly string[], asOf: string): Promise<CustomerHistoryWalk> {
    const streamIds = streamsOfCustomer(customerId, tiedStreams);
    const starts = await eventStore.firstPositions(streamIds);
    if (starts.size === 0) throw new NotFound('Customer', customerId);
    const longestRead = Math.max(1, Math.min(LONGEST_READ, Math.floor(READ_AHEAD / starts.size)));
    const order = streamIds.filter((streamId) => starts.has(streamId));
    const unopened = order
      .map((streamId) => ({ start: starts.get(streamId)!, open: () => new StreamWalk(streamId, replayFoldOf(streamId), eventStore, longestRead) }))
      .sort((a, b) => a.start - b.start);
    return new CustomerHistoryWalk(customerId, new Date(asOf).toISOString(), order, unopened);
  }

  /** Every event up to asOf, in log order, each with its aggregate's state right after it. */
  async *entries(): AsyncGenerator<HistoryEntry> {
    const cutoff = Date.parse(this.asOf);
    for (;;) {
      await this.openUpTo(this.next.earliest);
      const stream = this.next.pop();
      if (!stream) return;
      // Cut: the stream is let go with nothing after asOf walked.
      if (isAfter(stream.head!, cutoff)) continue;
      yield stream.take();
      if (await stream.readAhead()) this.next.push(stream);
    }
  }

  /** Of the streams that hold an event among `events`, their ids in the order given and each one's state after its last event there. */
  streamsOf(events: readonly HistoryEntry[]): { streams: string[]; aggregates: Record<string, unknown> } {
    const last = new Map(events.map((entry) => [entry.streamId, entry.state]));
    const streams = this.order.filter((streamId) => last.has(streamId));
    return { streams, aggregates: Object.fromEntries(streams.map((streamId) => [streamId, last.get(streamId)])) };
  }

  /** Opens every stream that starts before `position` (every one left, when there is none), so the earliest event is among those open. */
  private async openUpTo(position: number | undefined): Promise<void> {
    while (this.opened < this.unopened.length && (position === undefined || this.unopened[this.opened]!.start < position)) {
      const stream = this.unopened[this.opened]!.open();
      this.opened += 1;
      if (await stream.readAhead()) {
        this.next.push(stream);
        position = this.next.earliest;
      }
    }
  }
}

/** Replays a customer's dealings as they stood at `asOf`, whole. Sealed personal fields stay sealed. */
export const customerHistory = async (eventStore: EventStore, customerId: string, tiedStreams: readonly string[], asOf: string): Promise<CustomerHistory> => {
  const walk = await CustomerHistoryWalk.open(eventStore, customerId, tiedStreams, asOf);
  const events: HistoryEntry[] = [];
  for await (const entry of walk.entries()) events.push(entry);
  return { customerId, asOf: walk.asOf, ...walk.streamsOf(events), events };
};

/** A page of a customer's history: the events after a position, and where the next page starts. */
export type CustomerHistoryPage = CustomerHistory & {
  /** The position the next page follows; null on the last page. */
  nextAfter: number | null;
};

/**
 * Up to `limit` events after position `after`, in log order. The states after each are folded from
 * the streams' first events, so a page deep in a long history costs a walk up to it; reading the
 * whole history is one walk (CustomerHistoryWalk), not page after page.
 */
export const customerHistoryPage = async (
  eventStore: EventStore,
  customerId: string,
  tiedStreams: readonly string[],
  asOf: string,
  { after, limit }: { after: number; limit: number },
): Promise<CustomerHistoryPage> => {
  const walk = await CustomerHistoryWalk.open(eventStore, customerId, tiedStreams, asOf);
  const events: HistoryEntry[] = [];
  let more = false;
  for await (const entry of walk.entries()) {
    if (entry.position <= after) continue;
    if (events.length === limit) {
      more = true;
      break;
    }
    events.push(entry);
  }
  return { customerId, asOf: walk.asOf, ...walk.streamsOf(events), events, nextAfter: more ? events.at(-1)!.position : null };
};
