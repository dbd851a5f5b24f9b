import type { RecordedEvent } from '../application/ports/eventStore.js';
import type { CollectionSpec, Document } from '../application/ports/readStore.js';

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
export type Projection = {
  name: string;
  version: number;
  collections: ProjectionCollection[];
  handles: readonly string[];
  documentsFor(event: RecordedEvent): DocumentRef[];
  apply(event: RecordedEvent, view: ProjectionWriter): void;
};
