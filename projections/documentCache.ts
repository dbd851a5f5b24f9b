import type { Document, DocumentWrite, ReadStore } from '../application/ports/readStore.js';
import { physicalCollection } from './generations.js';
import type { StoredEventType } from '../domain/aggregates.js';
import type { DocumentRef, Projection, ProjectionWriter, RecordedEventOf } from './projection.js';

/** Beyond this many cached documents the cache starts afresh after a commit. */
const MAX_CACHED = 200_000;

/**
 * The documents of one generation of a projection, as the runner last committed them.
 * The runner is the only writer of its generation, so the cache stays true across
 * batches; a failed commit throws it away.
 */
export class DocumentCache {
  private docs = new Map<string, Map<string, Document | null>>();
  private dirty = new Map<string, Set<string>>();
  private wholeLoaded = false;
  private readonly whole: Set<string>;

  constructor(
    private readonly store: ReadStore,
    private readonly projection: Projection,
    private readonly generation: number,
  ) {
    this.whole = new Set(projection.collections.filter((c) => c.loadWhole).map((c) => c.name));
  }

  /** Loads whatever the batch will read that is not cached yet: one query per collection, and one more for what those documents name. */
  async prefetch(events: readonly RecordedEventOf<StoredEventType>[]): Promise<void> {
    if (!this.wholeLoaded) {
      for (const collection of this.whole) await this.loadWhole(collection);
      this.wholeLoaded = true;
    }
    await this.load(events.flatMap((event) => this.projection.documentsFor(event)));
    if (this.projection.documentsThrough) await this.load(events.flatMap((event) => this.projection.documentsThrough?.(event, this.cached) ?? []));
  }

  /** What is cached, absent or not, without the check that `writer.get` makes. */
  private readonly cached: Pick<ProjectionWriter, 'get'> = { get: (collection, id) => this.docs.get(collection)?.get(id) ?? null };

  private async load(refs: readonly DocumentRef[]): Promise<void> {
    const missing = new Map<string, Set<string>>();
    for (const { collection, id } of refs) {
      if (this.slot(collection).has(id)) continue;
      let ids = missing.get(collection);
      if (!ids) missing.set(collection, (ids = new Set()));
      ids.add(id);
    }
    for (const [collection, ids] of missing) {
      const slot = this.slot(collection);
      for (const id of ids) slot.set(id, null);
      for (const doc of await this.store.getMany(this.physical(collection), [...ids])) slot.set(doc.id, doc);
    }
  }

  readonly writer: ProjectionWriter = {
    get: (collection, id) => {
      const slot = this.slot(collection);
      if (!slot.has(id) && !this.whole.has(collection)) throw new Error(`${this.projection.name} read ${collection}/${id} without naming it in documentsFor`);
      return slot.get(id) ?? null;
    },
    put: (collection, doc) => {
      this.slot(collection).set(doc.id, doc);
      this.markDirty(collection, doc.id);
    },
    delete: (collection, id) => {
      this.slot(collection).set(id, null);
      this.markDirty(collection, id);
    },
  };

  /** The writes since the last call, ready for one atomic commit with the checkpoint. */
  takeWrites(): DocumentWrite[] {
    const writes: DocumentWrite[] = [];
    for (const [collection, ids] of this.dirty) {
      const physical = this.physical(collection);
      for (const id of ids) {
        const doc = this.docs.get(collection)!.get(id);
        writes.push(doc ? { collection: physical, op: 'put', doc } : { collection: physical, op: 'delete', id });
      }
    }
    this.dirty = new Map();
    return writes;
  }

  committed(): void {
    let size = 0;
    for (const slot of this.docs.values()) size += slot.size;
    if (size > MAX_CACHED) this.forget();
  }

  forget(): void {
    this.docs = new Map();
    this.dirty = new Map();
    this.wholeLoaded = false;
  }

  private async loadWhole(collection: string) {
    const slot = this.slot(collection);
    let cursor: string | undefined;
    do {
      const page = await this.store.find(this.physical(collection), { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const doc of page.items) slot.set(doc.id, doc);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private physical(collection: string) {
    return physicalCollection(collection, this.generation);
  }

  private slot(collection: string) {
    let slot = this.docs.get(collection);
    if (!slot) this.docs.set(collection, (slot = new Map()));
    return slot;
  }

  private markDirty(collection: string, id: string) {
    let ids = this.dirty.get(collection);
    if (!ids) this.dirty.set(collection, (ids = new Set()));
    ids.add(id);
  }
}
