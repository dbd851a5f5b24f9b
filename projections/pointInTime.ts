import { createHmac, timingSafeEqual } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventStore, RecordedEvent } from '../application/ports/eventStore.js';
import { InvalidCursor, type Document, type FindQuery, type FindResult, type RangeCondition, type Scalar } from '../application/ports/readStore.js';
import type { Projection, ProjectionWriter, RecordedEventOf } from './projection.js';
import { nextSliceSize } from './projectionRunner.js';
import type { StoredEventType } from '../domain/aggregates.js';
import type { ViewSource } from './viewReader.js';

/**
 * Views as they stood at a past moment, computed from the log up to that moment rather than from
 * today's views with a date filter: the log is read from the start and cut at its first event
 * after the moment, and the projections are applied to that prefix in memory, exactly as the
 * runner applies them. So a pipeline "as of the quarter's close" is the one the view showed then,
 * reassigned and since-closed deals and all.
 */

/** The most events a replay reads from the log at a time, and the first slice, as the runner's catch-up starts. */
const PAGE = 2_000;
const FIRST_SLICE = 64;

const occurredAt = (event: RecordedEvent) => Date.parse(String(event.metadata.occurredAt ?? ''));

/** The documents of some projections as they stood at one position of the log, read like the live views. */
export class ReplayedViews implements ViewSource {
  constructor(
    /** The last position applied; null when the prefix is empty. */
    readonly position: number | null,
    readonly asOf: string,
    private readonly collections: ReadonlyMap<string, ReadonlyMap<string, Document>>,
    private readonly cursorKey: Buffer,
  ) {}

  async get(projection: string, collection: string, id: string): Promise<Document | null> {
    return this.docs(projection, collection).get(id) ?? null;
  }

  async find(projection: string, collection: string, query: FindQuery): Promise<FindResult> {
    const { cursor, limit, where, orderBy } = query;
    const bound = JSON.stringify([this.position, projection, collection, where ?? null, orderBy ?? null]);
    const after = cursor === undefined ? null : this.unsealed(cursor, bound);
    const sorted = this.matching(projection, collection, where).sort(compareBy(orderBy));
    const start = after === null ? 0 : sorted.findIndex((doc) => compareBy(orderBy)(doc, after) > 0);
    const items = start === -1 ? [] : sorted.slice(start, start + limit);
    const last = items.length === limit && start + limit < sorted.length ? items.at(-1)! : undefined;
    return { items, nextCursor: last ? this.sealed({ id: last.id, ...(orderBy ? { [orderBy.field]: last[orderBy.field] ?? null } : {}) }, bound) : null };
  }

  async all(projection: string, collection: string, options: { where?: FindQuery['where'] } = {}): Promise<Document[]> {
    return this.matching(projection, collection, options.where).sort(compareBy(undefined));
  }

  /** Every document of a collection, for a caller that filters them itself (the KPI facts by kind and time). */
  documents(projection: string, collection: string): Iterable<Document> {
    return this.docs(projection, collection).values();
  }

  private docs(projection: string, collection: string) {
    return this.collections.get(`${projection}/${collection}`) ?? new Map<string, Document>();
  }

  private matching(projection: string, collection: string, where: FindQuery['where']): Document[] {
    const conditions = Object.entries(where ?? {});
    return [...this.docs(projection, collection).values()].filter((doc) => conditions.every(([field, condition]) => matches(doc[field], condition)));
  }

  private sealed(keyset: Document, bound: string) {
    const cursor = Buffer.from(JSON.stringify(keyset)).toString('base64url');
    return `${cursor}.${this.mac(cursor, bound)}`;
  }

  private unsealed(sealed: string, bound: string): Document {
    const dot = sealed.lastIndexOf('.');
    const cursor = sealed.slice(0, dot);
    const given = Buffer.from(sealed.slice(dot + 1));
    const expected = Buffer.from(this.mac(cursor, bound));
    if (dot < 1 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursor();
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Document;
  }

  private mac(cursor: string, bound: string) {
    return createHmac('sha256', this.cursorKey).update(bound).update('\n').update(cursor).digest('base64url').slice(0, 22);
  }
}

const isRange = (condition: unknown): condition is RangeCondition =>
  typeof condition === 'object' && condition !== null && !('in' in condition) && ['gt', 'gte', 'lt', 'lte'].some((op) => op in condition);

/** As the read stores match: a missing field is null; a range never matches null. */
const matches = (raw: unknown, condition: Scalar | RangeCondition | { in: readonly Scalar[] }): boolean => {
  const value = (raw ?? null) as Scalar;
  if (condition !== null && typeof condition === 'object' && 'in' in condition) return value !== null && condition.in.includes(value);
  if (isRange(condition)) {
    if (value === null) return false;
    const { gt, gte, lt, lte } = condition;
    return (gt == null || value > gt) && (gte == null || value >= gte) && (lt == null || value < lt) && (lte == null || value <= lte);
  }
  return value === condition;
};

/** As the read stores order: by the field with nulls lowest, then by id. */
const compareBy = (orderBy: FindQuery['orderBy']) => (a: Document, b: Document) => {
  if (orderBy) {
    const x = (a[orderBy.field] ?? null) as Scalar;
    const y = (b[orderBy.field] ?? null) as Scalar;
    const sign = orderBy.direction === 'desc' ? -1 : 1;
    if (x !== y) {
      if (x === null) return -sign;
      if (y === null) return sign;
      return (x < y ? -1 : 1) * sign;
    }
  }
  const idSign = orderBy?.direction === 'desc' ? -1 : 1;
  return a.id === b.id ? 0 : (a.id < b.id ? -1 : 1) * idSign;
};

/** An in-memory writer of the projection's own documents, as the runner's cache is, for one replay. */
const writerOver = (projection: Projection, collections: Map<string, Map<string, Document>>): ProjectionWriter => {
  const slot = (collection: string) => {
    const key = `${projection.name}/${collection}`;
    let docs = collections.get(key);
    if (!docs) collections.set(key, (docs = new Map()));
    return docs;
  };
  return {
    get: (collection, id) => slot(collection).get(id) ?? null,
    put: (collection, doc) => void slot(collection).set(doc.id, doc),
    delete: (collection, id) => void slot(collection).delete(id),
  };
};

export type PointInTimeOptions = {
  eventStore: EventStore;
  projections: readonly Projection[];
  /** Signs the cursors a replayed view hands out, as the live views' are. */
  cursorKey: Buffer;
  /** How many replays are kept for questions asked again (each holds its views in memory). */
  cacheSize?: number;
};

export class PointInTime {
  private readonly cache = new Map<string, Promise<ReplayedViews>>();

  constructor(private readonly options: PointInTimeOptions) {}

  /** When the log's first event happened; null for an empty log. No view can be asked as of before it. */
  async firstEventAt(): Promise<string | null> {
    const [first] = await this.options.eventStore.readAll({ maxCount: 1 });
    return first ? new Date(occurredAt(first)).toISOString() : null;
  }

  /** The named projections' views as they stood at `asOf`, replayed from the log; a question asked again is answered from memory. */
  at(asOf: string, names: readonly string[]): Promise<ReplayedViews> {
    const key = JSON.stringify([asOf, [...names].sort()]);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const replay = this.replay(asOf, names);
    this.cache.set(key, replay);
    replay.catch(() => this.cache.delete(key));
    while (this.cache.size > (this.options.cacheSize ?? 2)) this.cache.delete(this.cache.keys().next().value!);
    return replay;
  }

  private async replay(asOf: string, names: readonly string[]): Promise<ReplayedViews> {
    const projections = this.options.projections.filter((p) => names.includes(p.name));
    const collections = new Map<string, Map<string, Document>>();
    const appliers = projections.map((projection) => ({ projection, handled: new Set<string>(projection.handles), writer: writerOver(projection, collections) }));
    const cutoff = Date.parse(asOf);
    let position: number | null = null;
    // In slices of a few milliseconds of work, each followed by a turn of the event loop, as the
    // runner catches up: a replay of the whole log must not hold every other request back.
    let sliceSize = FIRST_SLICE;
    for (;;) {
      const started = performance.now();
      const page = await this.options.eventStore.readAll({ ...(position !== null ? { after: position } : {}), maxCount: sliceSize });
      // Cut at the first event after the moment, not filtered: every state replayed is one the views really had.
      const cut = page.findIndex((event) => !(occurredAt(event) <= cutoff));
      for (const event of cut === -1 ? page : page.slice(0, cut)) {
        for (const { projection, handled, writer } of appliers) {
          if (handled.has(event.type)) projection.apply(event as RecordedEventOf<StoredEventType>, writer);
        }
        position = event.position;
      }
      if (cut !== -1 || page.length < sliceSize) break;
      sliceSize = nextSliceSize(sliceSize, performance.now() - started, PAGE);
      await nextTurn();
    }
    return new ReplayedViews(position, new Date(cutoff).toISOString(), collections, this.options.cursorKey);
  }
}
