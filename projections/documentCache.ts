import type { Document, DocumentWrite, ReadStore } from '../application/ports/readStore.js';
import { physicalCollection } from './generations.js';
import type { StoredEventType } from '../domain/aggregates.js';
import type { DocumentRef, Projection, ProjectionWriter, RecordedEventOf } from './projection.js';

/** How many documents a projection keeps between batches unless told otherwise (PROJECTION_CACHE_DOCUMENTS). */
export const DEFAULT_CACHED_DOCUMENTS = 5_000;

/** Collection and id in one key: a collection's name holds no slash (checked by the read stores). */
const keyOf = (collection: string, id: string) => `${collection}/${id}`;

/**
 * The documents of one generation of a projection, as the runner last committed them.
 * The runner is the only writer of its generation, so the cache stays true across
 * batches; a failed commit throws it away. The collections loaded whole are small by
 * design and kept; of the others, only the `maxDocuments` used most recently are kept after
 * each commit, so memory follows the bound rather than the number of customers or streams.
 */
export class DocumentCache {
  private whole = new Map<string, Map<string, Document>>();
  /** Documents of the other collections, null for one known to be absent; least recently used first. */
  private recent = new Map<string, Document | null>();
  private dirty = new Map<string, Set<string>>();
  private wholeLoaded = false;
  private readonly wholeCollections: ReadonlySet<string>;

  constructor(
    private readonly store: ReadStore,
    private readonly projection: Projection,
    private readonly generation: number,
    private readonly maxDocuments = DEFAULT_CACHED_DOCUMENTS,
  ) {
    this.wholeCollections = new Set(projection.collections.filter((c) => c.loadWhole).map((c) => c.name));
  }

  /** Loads whatever the batch will read that is not cached yet: one query per collection, and one more for what those documents name. */
  async prefetch(events: readonly RecordedEventOf<StoredEventType>[]): Promise<void> {
    if (!this.wholeLoaded) {
      for (const collection of this.wholeCollections) await this.loadWhole(collection);
      this.wholeLoaded = true;
    }
    await this.load(events.flatMap((event) => this.projection.documentsFor(event)));
    if (this.projection.documentsThrough) await this.load(events.flatMap((event) => this.projection.documentsThrough?.(event, this.cached) ?? []));
  }

  /** What is cached, absent or not, without the check that `writer.get` makes. */
  private readonly cached: Pick<ProjectionWriter, 'get'> = {
    get: (collection, id) => (this.wholeCollections.has(collection) ? this.whole.get(collection)?.get(id) : this.recent.get(keyOf(collection, id))) ?? null,
  };

  private async load(refs: readonly DocumentRef[]): Promise<void> {
    const missing = new Map<string, Set<string>>();
    for (const { collection, id } of refs) {
      if (this.wholeCollections.has(collection)) continue;
      const key = keyOf(collection, id);
      const cached = this.recent.get(key);
      if (cached !== undefined) {
        this.touch(key, cached);
        continue;
      }
      let ids = missing.get(collection);
      if (!ids) missing.set(collection, (ids = new Set()));
      ids.add(id);
    }
    for (const [collection, ids] of missing) {
      for (const id of ids) this.recent.set(keyOf(collection, id), null);
      for (const doc of await this.store.getMany(this.physical(collection), [...ids])) this.recent.set(keyOf(collection, doc.id), doc);
    }
  }

  readonly writer: ProjectionWriter = {
    get: (collection, id) => {
      if (this.wholeCollections.has(collection)) return this.whole.get(collection)?.get(id) ?? null;
      const doc = this.recent.get(keyOf(collection, id));
      if (doc === undefined) throw new Error(`${this.projection.name} read ${collection}/${id} without naming it in documentsFor`);
      return doc;
    },
    put: (collection, doc) => {
      this.set(collection, doc.id, doc);
      this.markDirty(collection, doc.id);
    },
    delete: (collection, id) => {
      this.set(collection, id, null);
      this.markDirty(collection, id);
    },
  };

  /** The writes since the last call, ready for one atomic commit with the checkpoint. */
  takeWrites(): DocumentWrite[] {
    const writes: DocumentWrite[] = [];
    for (const [collection, ids] of this.dirty) {
      const physical = this.physical(collection);
      for (const id of ids) {
        const doc = this.wholeCollections.has(collection) ? this.whole.get(collection)?.get(id) : this.recent.get(keyOf(collection, id));
        writes.push(doc ? { collection: physical, op: 'put', doc } : { collection: physical, op: 'delete', id });
      }
    }
    this.dirty = new Map();
    return writes;
  }

  /** After a commit nothing is dirty, so the least recently used documents beyond the bound can go: the store holds them. */
  committed(): void {
    for (const key of this.recent.keys()) {
      if (this.recent.size <= this.maxDocuments) break;
      this.recent.delete(key);
    }
  }

  forget(): void {
    this.whole = new Map();
    this.recent = new Map();
    this.dirty = new Map();
    this.wholeLoaded = false;
  }

  private set(collection: string, id: string, doc: Document | null) {
    if (!this.wholeCollections.has(collection)) return this.touch(keyOf(collection, id), doc);
    let docs = this.whole.get(collection);
    if (!docs) this.whole.set(collection, (docs = new Map()));
    if (doc) docs.set(id, doc);
    else docs.delete(id);
  }

  /** Moves the entry to the most recently used end. */
  private touch(key: string, doc: Document | null) {
    this.recent.delete(key);
    this.recent.set(key, doc);
  }

  private async loadWhole(collection: string) {
    const docs = new Map<string, Document>();
    this.whole.set(collection, docs);
    let cursor: string | undefined;
    do {
      const page = await this.store.find(this.physical(collection), { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const doc of page.items) docs.set(doc.id, doc);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private physical(collection: string) {
    return physicalCollection(collection, this.generation);
  }

  private markDirty(collection: string, id: string) {
    let ids = this.dirty.get(collection);
    if (!ids) this.dirty.set(collection, (ids = new Set()));
    ids.add(id);
  }
}
