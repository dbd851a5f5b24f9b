import type { RecordedEvent } from '../application/ports/eventStore.js';
import type { CollectionSpec, Document } from '../application/ports/readStore.js';

/** What a projection may do to its own documents while it applies one event. */
export interface ProjectionWriter {
  get(collection: string, id: string): Promise<Document | null>;
  put(collection: string, doc: Document): void;
  delete(collection: string, id: string): void;
}

/**
 * A plain definition: the runner owns reading, batching, checkpoints and rebuilds.
 * Bump `version` whenever `apply` changes what it writes: the runner rebuilds the view
 * from zero into new collections and switches over when caught up.
 */
export type Projection = {
  name: string;
  version: number;
  collections: CollectionSpec[];
  handles: readonly string[];
  apply(event: RecordedEvent, view: ProjectionWriter): Promise<void>;
};
