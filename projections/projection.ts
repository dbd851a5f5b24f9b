import type { RecordedEvent } from '../application/ports/eventStore.js';
import type { CollectionSpec, Document } from '../application/ports/readStore.js';
import type { StoredEvent, StoredEventType } from '../domain/aggregates.js';

/** A stored event of one of the given types as the log hands it over, its data typed by the event's schema. */
export type RecordedEventOf<Type extends StoredEventType> = Omit<RecordedEvent, 'type' | 'data'> & Extract<StoredEvent, { type: Type }>;

export type DocumentRef = { collection: string; id: string };

/** What a projection may do to its own documents while it applies one event. */
export interface ProjectionWriter {
  /**
   * A document named by `documentsFor`, or one of a collection loaded whole; null when absent.
   * It is the projection's own copy until the batch commits: it may change it and put it back.
   */
  get(collection: string, id: string): Document | null;
  put(collection: string, doc: Document): void;
  delete(collection: string, id: string): void;
}

/** One order a list is read in; ties are broken by id. */
export type ListSort = { field: string; direction: 'asc' | 'desc' };

/**
 * A query a view documents: a list read a page at a time, filtered by any of `filters` together
 * and always by `always`, in one of the orders `sorts` names. Its collection declares
 * `listIndexes(list)`, so each combination is one ordered walk of one index, and a test asks
 * SQLite's query planner so, for every combination of every list.
 */
export type ListQuery<Sort extends string = string> = {
  collection: string;
  /** Equality filters every page of the list carries (the pipeline lists open deals only). */
  always?: Readonly<Record<string, string | number | boolean>>;
  /** Each filter by the name its caller gives it: equality on a field, or a bound of a range of it. Most selective first: a page filtered on several walks the index of the first. */
  filters: Readonly<Record<string, { field: string; match: 'equal' | 'range' }>>;
  /** The equality filter a seller's scope turns into a list of owners (a manager's team). */
  scopedBy?: string;
  sorts: Readonly<Record<Sort, ListSort>>;
};

/**
 * The compound indexes that serve every combination of a list's filters in each of its orders:
 * for each sort field, the `always` fields then each equality filter's field then the sort field,
 * and the `always` fields then the sort field. A combination of several equality filters walks the
 * index of the first declared and checks the others on the way.
 */
export const listIndexes = (...lists: ListQuery[]): string[][] => {
  const indexes = new Map<string, string[]>();
  for (const list of lists) {
    const always = Object.keys(list.always ?? {});
    const equalities = [...new Set(Object.values(list.filters).flatMap((f) => (f.match === 'equal' && !always.includes(f.field) ? [f.field] : [])))];
    for (const sort of new Set(Object.values<ListSort>(list.sorts).map((s) => s.field))) {
      for (const fields of [...equalities.map((field) => [...always, field, sort]), [...always, sort]]) {
        if (fields.length >= 2 && new Set(fields).size === fields.length) indexes.set(fields.join('+'), fields);
      }
    }
  }
  return [...indexes.values()];
};

export type ProjectionCollection = CollectionSpec & {
  /** Small collections (totals, summaries) are loaded whole once and kept in memory. */
  loadWhole?: boolean;
};

/**
 * A plain definition: the runner owns reading, batching, checkpoints and rebuilds.
 * `documentsFor` names the documents an event will read, so the runner loads a whole
 * batch's documents in one query and `apply` stays synchronous and cheap.
 * Bump `version` whenever `apply` changes what it writes: the runner rebuilds the view
 * from zero into new collections and switches over when caught up.
 */
export type Projection<Handled extends StoredEventType = StoredEventType> = {
  name: string;
  version: number;
  collections: ProjectionCollection[];
  /** The stored event types it applies: the runner hands `documentsFor` and `apply` these and no others. */
  handles: readonly Handled[];
  /** The lists its readers page through, which its collections' compound indexes serve. */
  queries?: readonly ListQuery[];
  documentsFor(event: RecordedEventOf<Handled>): DocumentRef[];
  /**
   * Documents an event reads that only the documents `documentsFor` named can tell (the totals of
   * the day a finding was raised, for a later step of that finding), asked once those are loaded.
   * A document created earlier in the same batch is not there yet: the event that created it named
   * what it reads itself.
   */
  documentsThrough?(event: RecordedEventOf<Handled>, view: Pick<ProjectionWriter, 'get'>): DocumentRef[];
  apply(event: RecordedEventOf<Handled>, view: ProjectionWriter): void;
};

/**
 * A projection as the runner holds it, beside projections of other kinds. TypeScript cannot see
 * that a projection typed for some events is safe to hold as one typed for all, since the runner
 * hands it only the types it handles; this is where that is said, once.
 */
export const projectionOf = <Handled extends StoredEventType>(projection: Projection<Handled>): Projection => projection as unknown as Projection;

/** A guard for the events of some types, for a projection that follows several aggregates. */
export const ofTypes = <Type extends StoredEventType>(types: readonly Type[]) => {
  const set: ReadonlySet<string> = new Set(types);
  return <Event extends { type: string }>(event: Event): event is Extract<Event, { type: Type }> => set.has(event.type);
};
