import type { DomainEvent } from '../domain/shared/decider.js';
import { WrongExpectedRevision, type EventStore } from './ports/eventStore.js';

/** How a stream is folded: a decider's, or the part of one a reader needs. */
export type Fold<State, Event extends DomainEvent> = {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
};

/** A stream folded up to a revision: what a command on it starts from. */
export type Folded<State> = {
  readonly state: State;
  /** The last revision folded in; -1 while the stream holds no event. */
  readonly revision: number;
  /** The hash of that event, which the next event chains to; undefined while there is none. */
  readonly lastHash: string | undefined;
};

type Entry = { fold: Fold<unknown, never>; folded: Folded<unknown> };

/** Streams whose states are kept when FOLDED_STATE_CACHE_SIZE is not set. */
export const DEFAULT_FOLDED_STATE_CACHE_SIZE = 10_000;

/**
 * A cached state is shared by every command on its stream, so nothing may change it in place: a
 * decider that tried would throw here rather than corrupt the next command's state. Parts already
 * frozen are shared with states folded before, so only what the latest events made is visited.
 */
export const deepFreeze = (value: unknown): void => {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
};

/**
 * The states of recently used streams, each with the revision it was folded to, so a command reads
 * only the events appended since rather than its whole stream. Events never change once stored,
 * so a state can only be behind the log, never wrong, and is brought up to date from its revision
 * whichever process appended meanwhile. Holds at most `capacity` streams, dropping the least
 * recently used; 0 keeps none. The states hold only what the stored events hold (personal data
 * stays sealed), so an erasure leaves nothing readable here.
 */
export class FoldedStates {
  /** In order of use, least recent first: a Map keeps insertion order. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly eventStore: EventStore,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The stream's state as of its last event, reading only what was appended after the cached revision. */
  async load<State, Event extends DomainEvent>(fold: Fold<State, Event>, streamId: string): Promise<Folded<State>> {
    const start = this.cached(fold, streamId) ?? { state: fold.initialState(), revision: -1, lastHash: undefined };
    const fresh = await this.eventStore.readStream(streamId, start.revision < 0 ? {} : { fromRevision: start.revision + 1 });
    const last = fresh.at(-1);
    if (!last) return start;
    const hash = last.metadata.hash;
    const folded: Folded<State> = {
      state: fresh.reduce((state, event) => fold.evolve(state, { type: event.type, data: event.data } as Event), start.state),
      revision: last.revision,
      lastHash: hash === undefined || hash === null ? undefined : String(hash),
    };
    this.keep(fold, streamId, folded);
    return folded;
  }

  /**
   * After an append was refused: a stream that moved on is caught up by the next load, but one that
   * is not past the revision the writer expected (cut short, or not there) disagrees with what was
   * cached, so its state is folded again from the first event.
   */
  refused(error: WrongExpectedRevision): void {
    const expected = error.expected === 'no_stream' ? -1 : error.expected;
    const movedOn = typeof expected === 'number' && typeof error.actual === 'number' && error.actual > expected;
    if (!movedOn) this.entries.delete(error.streamId);
  }

  clear(): void {
    this.entries.clear();
  }

  private cached<State, Event extends DomainEvent>(fold: Fold<State, Event>, streamId: string): Folded<State> | undefined {
    const entry = this.entries.get(streamId);
    if (!entry || entry.fold !== (fold as unknown)) return undefined;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    return entry.folded as Folded<State>;
  }

  private keep<State, Event extends DomainEvent>(fold: Fold<State, Event>, streamId: string, folded: Folded<State>): void {
    if (this.capacity === 0) return;
    const current = this.entries.get(streamId);
    // Two loads of one stream may overlap: the one that read further stays.
    if (current && current.fold === (fold as unknown) && current.folded.revision >= folded.revision) return;
    deepFreeze(folded.state);
    this.entries.delete(streamId);
    this.entries.set(streamId, { fold: fold as unknown as Fold<unknown, never>, folded });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

const caches = new WeakMap<EventStore, FoldedStates>();

/**
 * The folded states kept for an event store, as policyInForce keeps its revisions: every reader of
 * a stream's current state (the pipeline, the facts commands gather, the roster gate) shares them.
 */
export const foldedStatesOf = (eventStore: EventStore): FoldedStates => {
  let states = caches.get(eventStore);
  if (!states) {
    states = new FoldedStates(eventStore, DEFAULT_FOLDED_STATE_CACHE_SIZE);
    caches.set(eventStore, states);
  }
  return states;
};

/** Sets how many streams' states are kept for this event store (FOLDED_STATE_CACHE_SIZE), dropping any kept so far. */
export const cacheFoldedStates = (eventStore: EventStore, capacity: number): FoldedStates => {
  const states = new FoldedStates(eventStore, capacity);
  caches.set(eventStore, states);
  return states;
};
