import type { EventStore, ReadAllOptions, RecordedEvent, Subscription } from '../ports/eventStore.js';
import { SerialSubscription } from '../serialSubscription.js';

/** What a follower reads the log through: the event store itself, or the log shared by the followers of one process. */
export type FollowedLog = Pick<EventStore, 'readAll' | 'subscribeToAll' | 'headPosition'>;

/** How many events a shared subscription asks for at a time: the projection runner's batch, so their pages line up. */
export const SHARED_PAGE_EVENTS = 1_000;

/** How many pages the log keeps unless told otherwise (LOG_CACHE_PAGES). */
export const DEFAULT_CACHED_PAGES = 8;

/** Every event with a position in (after, last]: the log is append-only, so such a page never changes. */
type Page = { after: number; last: number; events: readonly RecordedEvent[] };

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};

/** The position before the first event: positions start at 0. */
const START = -1;

/**
 * The log as the followers of one process read it: each page is read and parsed once and handed to
 * every follower that asks for it, from a small cache of the pages read last. Each follower keeps its
 * own position and checkpoint and reads at its own pace: one far behind (a rebuild from zero) reads
 * its pages from the store, and one that fails is restarted by its supervisor without touching the
 * others. Once at the end of the log, the followers wait on one live subscription of the store, which
 * tells them that the log moved; they then read the new page, once for all of them.
 *
 * Events are frozen, since every follower holds the same objects.
 */
export class SharedLog implements FollowedLog {
  /** Least recently used first. */
  private pages: Page[] = [];
  private readonly reading = new Map<string, Promise<Page>>();
  private feed: LiveFeed | null = null;
  private readonly open = new Set<SharedSubscription>();

  constructor(
    private readonly store: EventStore,
    private readonly cachedPages = DEFAULT_CACHED_PAGES,
  ) {}

  /** Up to `maxCount` events after `after`, as the store would answer, from the pages kept where they hold them. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? SHARED_PAGE_EVENTS;
    const events: RecordedEvent[] = [];
    let after = options.after ?? START;
    while (events.length < maxCount) {
      const wanted = maxCount - events.length;
      const kept = this.pages.find((page) => page.after <= after && after < page.last);
      const page = kept ?? (await this.read(after, wanted));
      if (kept) this.pages = [...this.pages.filter((other) => other !== kept), kept];
      const taken = tail(page.events, after, wanted);
      events.push(...taken);
      // A page read from the store that ends short ends at the head of the log.
      if (taken.length === 0 || (!kept && page.events.length < wanted)) break;
      after = taken.at(-1)!.position;
    }
    return events;
  }

  subscribeToAll(options: { after?: number } = {}): Subscription {
    const subscription = new SharedSubscription(this, options.after ?? START, () => this.released(subscription));
    this.open.add(subscription);
    return subscription;
  }

  headPosition(): Promise<number | null> {
    return this.store.headPosition();
  }

  /**
   * Resolves, with how far the log has reached, once that is past `position`: at once if it already
   * is, else at the next event after it. `cancel` resolves it early.
   */
  moved(position: number): Wait {
    this.feed ??= new LiveFeed(this.store, position, () => (this.feed = null));
    return this.feed.after(position);
  }

  /** One page from the store, shared by the followers that ask for it at the same time, and kept for those that come after. */
  private read(after: number, maxCount: number): Promise<Page> {
    const key = `${after} ${maxCount}`;
    let read = this.reading.get(key);
    if (!read) {
      read = this.store
        .readAll({ ...(after !== START ? { after } : {}), maxCount })
        .then((events) => {
          const page = { after, last: events.at(-1)?.position ?? after, events: deepFreeze(events) };
          if (events.length > 0) this.keep(page);
          return page;
        })
        .finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

  private keep(page: Page) {
    this.pages.push(page);
    if (this.pages.length > this.cachedPages) this.pages.shift();
  }

  private released(subscription: SharedSubscription) {
    this.open.delete(subscription);
    if (this.open.size === 0) void this.feed?.close();
  }
}

/** The events of a page after `after`, at most `maxCount`, found by bisection: a page is in position order. */
const tail = (events: readonly RecordedEvent[], after: number, maxCount: number): RecordedEvent[] => {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (events[middle]!.position <= after) low = middle + 1;
    else high = middle;
  }
  return events.slice(low, low + maxCount);
};

type Waiter = { position: number; resolve: (reached: number) => void; reject: (error: unknown) => void };

/** A wait on the live feed, and how its subscription gives it up when it closes. */
type Wait = { done: Promise<number>; cancel(): void };

/**
 * One live subscription of the store for every follower of the process: it says only how far the
 * log has reached, waking those waiting below that; what they then read comes through the pages.
 * It ends when it fails (every waiter gets the error, and the next wait starts another) or when
 * the last shared subscription closes.
 */
class LiveFeed {
  private reached: number;
  private readonly waiters = new Set<Waiter>();
  private readonly subscription: Subscription;

  constructor(
    store: EventStore,
    after: number,
    private readonly ended: () => void,
  ) {
    this.reached = after;
    this.subscription = store.subscribeToAll(after === START ? {} : { after });
    void this.run();
  }

  after(position: number): Wait {
    if (position < this.reached) return { done: Promise.resolve(this.reached), cancel: () => {} };
    let waiter!: Waiter;
    const done = new Promise<number>((resolve, reject) => (waiter = { position, resolve, reject }));
    this.waiters.add(waiter);
    return {
      done,
      cancel: () => {
        this.waiters.delete(waiter);
        waiter.resolve(this.reached);
      },
    };
  }

  close(): Promise<void> {
    return this.subscription.close();
  }

  private async run() {
    try {
      for await (const event of this.subscription) {
        this.reached = event.position;
        for (const waiter of this.waiters) {
          if (waiter.position >= this.reached) continue;
          this.waiters.delete(waiter);
          waiter.resolve(this.reached);
        }
      }
      this.settle((waiter) => waiter.resolve(this.reached));
    } catch (error) {
      this.settle((waiter) => waiter.reject(error));
    }
  }

  private settle(each: (waiter: Waiter) => void) {
    this.ended();
    for (const waiter of this.waiters) each(waiter);
    this.waiters.clear();
  }
}

/** One follower's subscription: its own position, its pages through the shared log, and a wait on the live feed at the end. */
class SharedSubscription extends SerialSubscription {
  private buffer: RecordedEvent[] = [];
  private waiting: Wait | null = null;
  /** How far the live feed said the log had reached when it last woke this subscription: an empty read after that waits for more. */
  private woken = START;

  constructor(
    private readonly log: SharedLog,
    private position: number,
    private readonly released: () => void,
  ) {
    super();
  }

  protected closing(): void {
    this.buffer = [];
    this.waiting?.cancel();
    this.released();
  }

  protected async pull(): Promise<IteratorResult<RecordedEvent>> {
    while (!this.closed) {
      const next = this.buffer.shift();
      if (next) {
        this.position = next.position;
        return { done: false, value: next };
      }
      this.buffer = await this.log.readAll({ ...(this.position !== START ? { after: this.position } : {}), maxCount: SHARED_PAGE_EVENTS });
      if (this.buffer.length > 0 || this.closed) continue;
      this.waiting = this.log.moved(Math.max(this.position, this.woken));
      try {
        this.woken = await this.waiting.done;
      } finally {
        this.waiting = null;
      }
    }
    return { done: true, value: undefined };
  }
}
