import type { EventMetadata, RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import type { StoredEventType } from '../../domain/aggregates.js';
import type { Projection, ProjectionWriter, RecordedEventOf } from '../../projections/projection.js';

/** An event as a spec states it: the stream, the type and the data; metadata and positions are filled in. */
export type GivenEvent = {
  streamId: string;
  type: string;
  data: unknown;
  /** Merged over the defaults: occurredAt one second after the event before, from 2026-03-02T09:00:00Z. */
  metadata?: EventMetadata;
};

const START = Date.parse('2026-03-02T09:00:00.000Z');

/**
 * given(events) then documents: runs a projection as the runner does, in memory. Only the event
 * types it `handles` reach `apply`; `apply` may read only the documents `documentsFor` and
 * `documentsThrough` named and whole-loaded collections (the runner refuses anything else); each document it gets is its own copy.
 */
export const projectionSpecification = <Handled extends StoredEventType>(projection: Projection<Handled>) => {
  const store = new Map<string, Map<string, Document>>();
  const revisions = new Map<string, number>();
  const whole = new Set(projection.collections.filter((c) => c.loadWhole).map((c) => c.name));
  const handled = new Set<string>(projection.handles);
  let position = 0;

  const collection = (name: string) => {
    let docs = store.get(name);
    if (!docs) store.set(name, (docs = new Map()));
    return docs;
  };

  const record = ({ streamId, type, data, metadata = {} }: GivenEvent): RecordedEvent => {
    const revision = (revisions.get(streamId) ?? -1) + 1;
    revisions.set(streamId, revision);
    position += 1;
    return {
      streamId,
      revision,
      position,
      eventId: `event-${position}`,
      type,
      data,
      metadata: { occurredAt: new Date(START + position * 1000).toISOString(), ...metadata },
    };
  };

  // As the runner does: only the types the projection handles reach it, and the schemas checked their data when they were written.
  const isHandled = (event: RecordedEvent): event is RecordedEventOf<Handled> => handled.has(event.type);

  const apply = (event: RecordedEvent) => {
    if (!isHandled(event)) return;
    const stored = { get: (c: string, id: string) => collection(c).get(id) ?? null };
    const refs = [...projection.documentsFor(event), ...(projection.documentsThrough?.(event, stored) ?? [])];
    const named = new Set(refs.map(({ collection: c, id }) => `${c}\u0000${id}`));
    const writer: ProjectionWriter = {
      get: (c, id) => {
        if (!whole.has(c) && !named.has(`${c}\u0000${id}`)) throw new Error(`${projection.name} read ${c}/${id} without naming it in documentsFor`);
        const doc = collection(c).get(id);
        return doc ? structuredClone(doc) : null;
      },
      put: (c, doc) => void collection(c).set(doc.id, structuredClone(doc)),
      delete: (c, id) => void collection(c).delete(id),
    };
    projection.apply(event, writer);
  };

  const spec = {
    /** Applies the events in order; returns the events as recorded, for assertions on positions and times. */
    given: (...events: GivenEvent[]): RecordedEvent[] => {
      const recorded = events.map(record);
      recorded.forEach(apply);
      return recorded;
    },
    /** One document, or null. */
    document: (collectionName: string, id: string): Document | null => collection(collectionName).get(id) ?? null,
    /** Every document of a collection, sorted by id. */
    documents: (collectionName: string): Document[] => [...collection(collectionName).values()].sort((a, b) => a.id.localeCompare(b.id)),
  };
  return spec;
};
