import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import { categoryOf, storedEventTypes } from '../../domain/aggregates.js';
import { listIndexes, type DocumentRef, type ListQuery, type Projection } from '../projection.js';
import type { ViewReader } from '../viewReader.js';

export const CUSTOMER_STREAMS = 'customer_streams';
export const TIED_STREAMS = 'tied_streams';

/** One stream tied to one customer, from the first event that named the customer. */
export type TiedStreamView = Document & {
  customerId: string;
  streamId: string;
  category: string;
  firstPosition: number;
};

const tiedStreamId = (customerId: string, streamId: string) => `${customerId}|${streamId}`;

/** The customer an event concerns: the one its command named in metadata, and any its data names. */
const customersOf = (event: Pick<RecordedEvent, 'data' | 'metadata'>): string[] => {
  const named = [event.metadata.customerId, (event.data as { customerId?: unknown } | null)?.customerId];
  return [...new Set(named.filter((id): id is string => typeof id === 'string' && id.length > 0))];
};

/** A customer's tied streams in the order they joined, as the audit reads them. */
export const STREAMS_OF_CUSTOMER: ListQuery<'joined'> = {
  collection: TIED_STREAMS,
  filters: { customerId: { field: 'customerId', match: 'equal' } },
  sorts: { joined: { field: 'firstPosition', direction: 'asc' } },
};

/**
 * Which streams are tied to which customer, so an audit can find every stream of a
 * customer's dealings without scanning the log. A stream joins once and stays.
 */
export const customerStreamsProjection: Projection = {
  name: CUSTOMER_STREAMS,
  version: 1,
  collections: [{ name: TIED_STREAMS, indexes: { customerId: 'string', firstPosition: 'number' }, compoundIndexes: listIndexes(STREAMS_OF_CUSTOMER) }],
  queries: [STREAMS_OF_CUSTOMER],
  // Every stored type: any event may name a customer in its metadata.
  handles: storedEventTypes,
  documentsFor: (event) => customersOf(event).map((customerId): DocumentRef => ({ collection: TIED_STREAMS, id: tiedStreamId(customerId, event.streamId) })),
  apply(event, view) {
    for (const customerId of customersOf(event)) {
      const id = tiedStreamId(customerId, event.streamId);
      if (view.get(TIED_STREAMS, id)) continue;
      const tied: TiedStreamView = {
        id,
        customerId,
        streamId: event.streamId,
        category: categoryOf(event.streamId),
        firstPosition: event.position,
      };
      view.put(TIED_STREAMS, tied);
    }
  },
};

/** The ids of the streams tied to a customer, in the order they joined the customer's dealings. */
export const tiedStreamsOf = async (views: ViewReader, customerId: string): Promise<string[]> => {
  const streamIds: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await views.find(CUSTOMER_STREAMS, STREAMS_OF_CUSTOMER.collection, {
      where: { customerId },
      orderBy: STREAMS_OF_CUSTOMER.sorts.joined,
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    streamIds.push(...page.items.map((doc) => (doc as TiedStreamView).streamId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return streamIds;
};
