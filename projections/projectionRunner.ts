import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { EventHandlingFailed, Supervisor, type FollowerStatus } from '../application/followers/supervisor.js';
import type { FollowedLog } from '../application/followers/sharedLog.js';
import type { RecordedEvent, Subscription } from '../application/ports/eventStore.js';
import type { DocumentWrite, ReadStore } from '../application/ports/readStore.js';
import { DocumentCache } from './documentCache.js';
import { checkpointName, physicalCollection, readRegistration, writeRegistration, type Generation } from './generations.js';
import type { Projection, RecordedEventOf } from './projection.js';
import type { StoredEventType } from '../domain/aggregates.js';

export type ProjectionRunnerOptions = {
  /** The log the views follow: the event store, or the log shared by the followers of the process. */
  eventStore: FollowedLog;
  readStore: ReadStore;
  projections: Projection[];
  logger: Logger;
  batchSize?: number;
  /** Documents each view keeps in memory between batches (DEFAULT_CACHED_DOCUMENTS unless given). */
  cachedDocuments?: number;
};

/** A generation of a view and how its follower fares: running, retrying after an error, or failed on a poison event. */
export type GenerationStatus = Generation & Pick<FollowerStatus, 'position' | 'state' | 'attempts' | 'lastError' | 'failure' | 'restarts'>;

export type ProjectionStatus = {
  name: string;
  version: number;
  active: GenerationStatus | null;
  building: GenerationStatus | null;
};

/**
 * The views that have applied a position beyond `head`. Positions are never reused, so that means
 * the log lost its end under them: they show events it no longer holds. Take the statuses before
 * reading the head, or a view could pass a head read just before it.
 */
export const viewsAheadOf = (statuses: readonly ProjectionStatus[], head: number | null): string[] =>
  statuses
    .filter(({ active, building }) => [active, building].some((generation) => generation?.position != null && (head === null || generation.position > head)))
    .map(({ name }) => name);

/** The lease a worker holds to follow a view. */
export const projectionLease = (name: string) => `projection:${name}`;

type Follower = { generation: Generation; position: number | null; supervisor: Supervisor; stop: () => Promise<void> };

/** How long a view may leave unwritten the checkpoint of batches that held none of the events it handles. */
const UNHANDLED_CHECKPOINT_DELAY_MS = 100;

/**
 * The writes of one generation of a view, one after another: each batch's documents with its
 * checkpoint, and, a moment later and once for many, the checkpoint of batches that held none of
 * the events it handles, so those cost it no write each. Positions written never go back.
 */
class GenerationWrites {
  private writing: Promise<void> = Promise.resolve();
  private written: number | null;
  private skipped: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly commit: (writes: DocumentWrite[], position: number) => Promise<void>,
    position: number | null,
    private readonly logger: Logger,
  ) {
    this.written = position;
  }

  /** Commits a batch's documents and its checkpoint, after whatever was written before. */
  batch(writes: DocumentWrite[], position: number): Promise<void> {
    return this.inTurn(async () => {
      await this.commit(writes, position);
      this.written = position;
    });
  }

  /** A batch that changed nothing: its checkpoint is written soon, with those of the batches that follow it. */
  skip(position: number): void {
    this.skipped = position;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inTurn(async () => {
        const skipped = this.skipped;
        if (skipped === null || (this.written !== null && skipped <= this.written)) return;
        await this.commit([], skipped);
        this.written = skipped;
      }).catch((error: unknown) => this.logger.warn({ err: error }, 'could not write the checkpoint of batches the view had nothing to apply from; it is written with the next'));
    }, UNHANDLED_CHECKPOINT_DELAY_MS);
  }

  /** Drops a checkpoint not yet written (the events it covers change nothing) and waits for a write under way. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
  }

  private inTurn(write: () => Promise<void>): Promise<void> {
    const run = this.writing.then(write);
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/**
 * Reads the log from each projection's checkpoint, applies events in batches and commits
 * documents and checkpoint in one atomic write, then follows the log live. A crash at
 * any point resumes from the last commit, so each event takes effect exactly once.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly active = new Map<string, Follower>();
  private readonly building = new Map<string, Follower>();
  private readonly waiters = new Set<() => void>();
  /** The lease token each view is followed under, when followed under a lease. */
  private readonly tokens = new Map<string, number>();

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.batchSize = options.batchSize ?? 1000;
  }

  /** Follows every view, unfenced: for a process that is the only one following (tools, benchmarks, tests). */
  async start(): Promise<void> {
    for (const projection of this.options.projections) await this.startProjection(projection);
  }

  /** Follows one view while this worker holds its lease; every commit is fenced by the lease's token. */
  async followProjection(name: string, token: number): Promise<void> {
    const projection = this.projection(name);
    this.tokens.set(name, token);
    await this.startProjection(projection);
  }

  /** Stops following one view (its lease was lost or given up); another worker carries on from its checkpoint. */
  async stopProjection(name: string): Promise<void> {
    const followers = [this.active.get(name), this.building.get(name)].filter((f): f is Follower => f !== undefined);
    this.active.delete(name);
    this.building.delete(name);
    this.tokens.delete(name);
    await Promise.all(followers.map((f) => f.stop()));
  }

  /** Whether this runner follows the view now. */
  follows(name: string): boolean {
    return this.active.has(name) || this.building.has(name);
  }

  /** Starts a rebuild another process asked for (by writing the registration), if this runner follows the view and has not started it. */
  async reconcile(name: string): Promise<void> {
    if (!this.follows(name) || this.building.has(name)) return;
    const registration = await readRegistration(this.options.readStore, name);
    if (registration.building) await this.startBuilding(this.projection(name), registration.building);
  }

  /**
   * Rebuilds from zero into new collections while the current ones keep serving reads. The
   * registration says so for every process; the one that follows the view builds it.
   */
  async rebuild(name: string): Promise<Generation> {
    const projection = this.projection(name);
    const registration = await readRegistration(this.options.readStore, name);
    if (registration.building) return registration.building;
    const generation = { version: projection.version, generation: (registration.active?.generation ?? 0) + 1 };
    this.options.logger.info({ projection: name, generation }, 'rebuilding view from zero');
    await writeRegistration(this.options.readStore, name, { ...registration, building: generation });
    if (this.follows(name)) await this.startBuilding(projection, generation);
    return generation;
  }

  status(): ProjectionStatus[] {
    return this.options.projections.map((p) => {
      const describe = (f: Follower | undefined): GenerationStatus | null => {
        if (!f) return null;
        const { state, attempts, lastError, failure, restarts } = f.supervisor.status();
        return { ...f.generation, position: f.position, state, attempts, lastError, failure, restarts };
      };
      return { name: p.name, version: p.version, active: describe(this.active.get(p.name)), building: describe(this.building.get(p.name)) };
    });
  }

  /** Each generation's follower as operators see it: `projection:<name>`, and `projection:<name>:rebuild` for a rebuild under way. */
  followers(): FollowerStatus[] {
    return this.options.projections.flatMap((p) => {
      const active = this.active.get(p.name);
      const building = this.building.get(p.name);
      return [
        ...(active ? [{ ...active.supervisor.status(), position: active.position }] : []),
        ...(building && building !== active ? [{ ...building.supervisor.status(), name: `projection:${p.name}:rebuild`, position: building.position }] : []),
      ];
    });
  }

  /** Asks the followers of a view (`<name>` or `projection:<name>`: the generation serving reads and any rebuild) to try again now; false for an unknown name. */
  retry(name: string): boolean {
    const projection = this.options.projections.find((p) => p.name === name || `projection:${p.name}` === name);
    if (!projection) return false;
    for (const follower of [this.active.get(projection.name), this.building.get(projection.name)]) follower?.supervisor.retry();
    return true;
  }

  /** Position the active view of `name` has applied, or null before its first event. */
  position(name: string): number | null {
    return this.active.get(name)?.position ?? null;
  }

  /** Resolves true once every named view has passed `position`, false at the deadline. */
  async waitFor(names: string[], position: number, timeoutMs: number): Promise<boolean> {
    const reached = () => names.every((n) => (this.position(n) ?? 0) >= position);
    if (reached()) return true;
    return new Promise((resolve) => {
      const check = () => {
        if (!reached()) return;
        finish(true);
      };
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => finish(reached()), timeoutMs);
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    const followers = [...this.active.values(), ...this.building.values()];
    await Promise.all(followers.map((f) => f.stop()));
  }

  private projection(name: string): Projection {
    const found = this.options.projections.find((p) => p.name === name);
    if (!found) throw new Error(`No projection named ${name}`);
    return found;
  }

  private async startProjection(projection: Projection): Promise<void> {
    const store = this.options.readStore;
    let registration = await readRegistration(store, projection.name);
    if (!registration.active && !registration.building) {
      registration = { active: null, building: { version: projection.version, generation: 1 } };
      await writeRegistration(store, projection.name, registration);
    }
    if (registration.active) this.active.set(projection.name, await this.follow(projection, registration.active, 'active'));
    if (registration.building) {
      await this.startBuilding(projection, registration.building);
    } else if (registration.active && registration.active.version !== projection.version) {
      this.options.logger.info({ projection: projection.name, from: registration.active.version, to: projection.version }, 'projection version changed; rebuilding');
      await this.rebuild(projection.name);
    }
  }

  private async startBuilding(projection: Projection, generation: Generation): Promise<void> {
    this.building.set(projection.name, await this.follow(projection, generation, 'building'));
  }

  private async follow(projection: Projection, generation: Generation, role: 'active' | 'building'): Promise<Follower> {
    const { readStore, eventStore } = this.options;
    // A generation being built serves no reads, so its indexes are built once, at the switch,
    // rather than maintained through every write of the rebuild.
    await this.declareCollections(projection, generation, role === 'active');
    const checkpoint = checkpointName(projection.name, generation.generation);
    const handled: ReadonlySet<string> = new Set(projection.handles);
    let subscription: Subscription | null = null;
    const logger = this.options.logger.child({ projection: projection.name, generation });
    const supervisor = new Supervisor({ name: `projection:${projection.name}`, kind: 'projection', logger });
    let stopping = false;
    const position = await readStore.getCheckpoint(checkpoint);
    const writes = new GenerationWrites(
      async (documentWrites, at) => {
        const token = this.tokens.get(projection.name);
        await readStore.commit({
          writes: documentWrites,
          checkpoint: { name: checkpoint, position: at },
          ...(token !== undefined ? { fence: { lease: projectionLease(projection.name), token } } : {}),
        });
      },
      position,
      logger,
    );
    const follower: Follower = {
      generation,
      position,
      supervisor,
      stop: async () => {
        stopping = true;
        await supervisor.stop(async () => subscription?.close());
        await writes.stop();
      },
    };
    const documents = new DocumentCache(readStore, projection, generation.generation, this.options.cachedDocuments);
    const apply = async (batch: RecordedEvent[]) => {
      const last = batch.at(-1)!.position;
      const events = batch.filter((e): e is RecordedEventOf<StoredEventType> => handled.has(e.type));
      if (events.length > 0) await this.applyBatch(projection, documents, writes, events, last);
      else writes.skip(last);
      follower.position = last;
      supervisor.progressed(last);
      if (role === 'building' && follower === this.building.get(projection.name)) await this.switchIfCaughtUp(projection, follower);
      for (const waiter of this.waiters) waiter();
    };
    // Each (re)start resumes from the last committed batch: what a failed batch wrote was never committed.
    const loop = async () => {
      try {
        // Catch up page by page, which is far cheaper than event by event, then follow live.
        // The embedded stores answer synchronously, so a catch-up would otherwise run on microtasks alone
        // and starve the listener and every request until it ends: each page is applied in slices sized
        // to a few milliseconds of work, each followed by a turn of the event loop. Pages stay whole, so
        // the followers reading the shared log ask for the same pages whatever their pace.
        let sliceSize = Math.min(FIRST_SLICE, this.batchSize);
        for (;;) {
          if (stopping) return;
          const page = await eventStore.readAll({ ...(follower.position !== null ? { after: follower.position } : {}), maxCount: this.batchSize });
          if (page.length === 0) break;
          for (let from = 0; from < page.length; ) {
            if (stopping) return;
            const started = performance.now();
            const slice = page.slice(from, from + sliceSize);
            await apply(slice);
            from += slice.length;
            sliceSize = nextSliceSize(sliceSize, performance.now() - started, this.batchSize);
            await nextTurn();
          }
        }
        if (follower === this.building.get(projection.name)) await this.switchIfCaughtUp(projection, follower);
        supervisor.progressed();
        subscription = eventStore.subscribeToAll(follower.position !== null ? { after: follower.position } : {});
        if (stopping) return;
        for await (const batch of batches(subscription, this.batchSize)) {
          await apply(batch);
          await nextTurn();
        }
      } finally {
        await subscription?.close();
        subscription = null;
      }
    };
    supervisor.start(loop);
    return follower;
  }

  /**
   * Declares a generation's collections, then, when asked, their indexes, a collection at a time with
   * a turn between: the embedded store builds those of a large collection on its writer thread and
   * checks the documents' types in one pass; a small one's take it a few milliseconds.
   */
  private async declareCollections(projection: Projection, generation: Generation, withIndexes: boolean) {
    const { readStore } = this.options;
    await readStore.ensureCollections(projection.collections.map((c) => ({ name: physicalCollection(c.name, generation.generation), indexes: {} })));
    if (!withIndexes) return;
    for (const collection of projection.collections) {
      const name = physicalCollection(collection.name, generation.generation);
      await readStore.ensureCollections([{ name, indexes: collection.indexes, ...(collection.compoundIndexes ? { compoundIndexes: collection.compoundIndexes } : {}) }]);
      await nextTurn();
    }
  }

  private async applyBatch(projection: Projection, documents: DocumentCache, writes: GenerationWrites, events: RecordedEventOf<StoredEventType>[], lastPosition: number) {
    try {
      await documents.prefetch(events);
      for (const event of events) {
        try {
          projection.apply(event, documents.writer);
        } catch (error) {
          throw new EventHandlingFailed(event, error);
        }
      }
      await writes.batch(documents.takeWrites(), lastPosition);
      documents.committed();
    } catch (error) {
      documents.forget();
      throw error;
    }
  }

  private async switchIfCaughtUp(projection: Projection, follower: Follower) {
    const head = await this.options.eventStore.headPosition();
    if (head !== null && (follower.position ?? 0) < head) return;
    const { readStore, logger } = this.options;
    const previous = this.active.get(projection.name);
    await this.declareCollections(projection, follower.generation, true);
    await writeRegistration(readStore, projection.name, { active: follower.generation, building: null });
    this.active.set(projection.name, follower);
    this.building.delete(projection.name);
    logger.info({ projection: projection.name, generation: follower.generation }, 'rebuilt view caught up; switched over');
    if (previous && previous !== follower) {
      await previous.stop();
      for (const c of projection.collections) await readStore.dropCollection(physicalCollection(c.name, previous.generation.generation));
      await readStore.deleteCheckpoint(checkpointName(projection.name, previous.generation.generation));
    }
  }
}

/** Work between two turns of the event loop during a catch-up: well under the 50 ms a request may wait. */
const SLICE_TARGET_MS = 10;
const FIRST_SLICE = 64;
const SMALLEST_SLICE = 16;

/** Halves a slice that took longer than the target, doubles one that took under a quarter of it, up to `largest`. */
export const nextSliceSize = (size: number, tookMs: number, largest: number): number => {
  if (tookMs > SLICE_TARGET_MS) return Math.max(SMALLEST_SLICE, Math.floor(size / 2));
  if (tookMs < SLICE_TARGET_MS / 4) return Math.min(largest, size * 2);
  return size;
};

const IDLE = Symbol('idle');

/**
 * Groups a subscription into batches: takes whatever has already arrived, up to `size`,
 * without waiting for more, so catch-up runs in large batches and live events go out at once.
 */
async function* batches(source: AsyncIterable<RecordedEvent>, size: number): AsyncGenerator<RecordedEvent[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  for (;;) {
    const first = await pending;
    if (first.done) return;
    const batch = [first.value];
    pending = iterator.next();
    while (batch.length < size) {
      const next = await Promise.race([pending, new Promise<typeof IDLE>((resolve) => setImmediate(() => resolve(IDLE)))]);
      if (next === IDLE) break;
      if (next.done) {
        yield batch;
        return;
      }
      batch.push(next.value);
      pending = iterator.next();
    }
    yield batch;
  }
}
