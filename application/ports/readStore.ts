/**
 * Query views built by projections. Documents live in collections and are found by id
 * or by fields the collection declared as indexed; no caller ever passes a raw database
 * filter, so names are checked against the declaration before they reach a query.
 */

export type Scalar = string | number | boolean | null;

export type Document = { id: string } & Record<string, unknown>;

/**
 * The one JSON type an indexed field holds, besides null. Stores compare values of different
 * types differently (MongoDB orders by type first, SQLite reads a boolean as 1 or 0), so one
 * type per field is what makes a filter or a page mean the same on every store.
 */
export type IndexType = 'string' | 'number' | 'boolean';

export type CollectionSpec = {
  name: string;
  /** Top-level fields that may be filtered or sorted on, each with the type it holds when not null or missing. */
  indexes: Readonly<Record<string, IndexType>>;
  /**
   * Query shapes served by one ordered walk of one index: each lists fields of `indexes` filtered
   * by equality, then the field sorted on; the store keeps an index on them and the id. A page
   * filtered on some of the leading fields (equal to a value, or to one of a list) and sorted on
   * the last then seeks and walks that index in order, with no sort of its own.
   */
  compoundIndexes?: readonly (readonly string[])[];
};

export type RangeCondition = { gt?: Scalar; gte?: Scalar; lt?: Scalar; lte?: Scalar };
/** One of a few values (at most MAX_IN_VALUES, none null): a seller's team, say. */
export type InCondition = { in: readonly Scalar[] };
export const MAX_IN_VALUES = 500;

export type FindQuery = {
  where?: Record<string, Scalar | RangeCondition | InCondition>;
  orderBy?: { field: string; direction: 'asc' | 'desc' };
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
};

export type FindResult = { items: Document[]; nextCursor: string | null };

export type DocumentWrite =
  | { collection: string; op: 'put'; doc: Document }
  | { collection: string; op: 'delete'; id: string };

export type ReadStoreCommit = {
  writes: DocumentWrite[];
  checkpoint: { name: string; position: number };
  /**
   * Commit only while this lease still has this token: a worker that lost its lease (it stalled,
   * another took over) cannot write over its successor. Refused with LeaseLost, nothing written.
   */
  fence?: { lease: string; token: number };
};

/**
 * Which worker follows what: one holder at a time, until it lapses unrenewed. The token grows
 * by one at every change of holder, so a commit fenced by an old token is refused.
 */
export type Lease = { name: string; holder: string; token: number; expiresAt: number };

export class LeaseLost extends Error {
  constructor(
    readonly lease: string,
    readonly token: number,
  ) {
    super(`Lease ${lease} is no longer held with token ${token}: another worker took it over`);
    this.name = 'LeaseLost';
  }
}

export class UnknownField extends Error {
  constructor(readonly collection: string, readonly field: string) {
    super(`Field "${field}" is not indexed on collection "${collection}"`);
    this.name = 'UnknownField';
  }
}

export class InvalidCursor extends Error {
  constructor() {
    super('The cursor is not one this view issued');
    this.name = 'InvalidCursor';
  }
}

/** A collection no one declared: the caller named it, so this is a bug rather than bad input. */
export class UnknownCollection extends Error {
  constructor(readonly collection: string) {
    super(`Collection "${collection}" is not declared`);
    this.name = 'UnknownCollection';
  }
}

/** A query or document of the wrong shape, refused before it reaches the database. */
export class InvalidQuery extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQuery';
  }
}

export interface ReadStore {
  /**
   * Creates the collections and their indexes if missing; idempotent. A field declared on a
   * collection that already holds documents is checked against them first; a field declared
   * before with another type is refused.
   */
  ensureCollections(specs: CollectionSpec[]): Promise<void>;
  dropCollection(name: string): Promise<void>;
  get(collection: string, id: string): Promise<Document | null>;
  getMany(collection: string, ids: string[]): Promise<Document[]>;
  /**
   * Keyset pagination ordered by (orderBy.field, id), nulls lowest; sorts by id alone when orderBy
   * is omitted. A filter value of another type than its field's is refused (InvalidQuery).
   */
  find(collection: string, query: FindQuery): Promise<FindResult>;
  /**
   * Applies every write and moves the checkpoint in one atomic commit; a document whose indexed
   * field holds another type than declared refuses the whole batch (InvalidQuery).
   */
  commit(batch: ReadStoreCommit): Promise<void>;
  getCheckpoint(name: string): Promise<number | null>;
  deleteCheckpoint(name: string): Promise<void>;
  /** Small key/value records for the projection runner's own bookkeeping. */
  getMeta(key: string): Promise<unknown | null>;
  setMeta(key: string, value: unknown): Promise<void>;
  /**
   * Takes or renews the lease `name` for `holder` until `now + ttlMs` (milliseconds since the
   * epoch) when it is free, lapsed (expiresAt <= now) or already the holder's; a change of holder
   * increments its token. Null while another holder's lease runs.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<Lease | null>;
  /** Gives the lease up at once, if `holder` still holds it, so another worker need not wait for it to lapse. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Every lease ever taken, held or lapsed, by name. */
  leases(): Promise<Lease[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
