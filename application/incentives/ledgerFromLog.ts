import { LEDGER_EVENT_TYPES, ledgerAsOf, type Ledger, type SourceEvent } from '../../domain/incentive/ledger.js';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';

const BATCH = 1000;
const READ: ReadonlySet<string> = new Set(LEDGER_EVENT_TYPES);

/** The ledger reads events as stored: their schemas were checked when they were written, and their hash pins them. */
const asSource = (event: RecordedEvent): SourceEvent =>
  ({
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    hash: String(event.metadata.hash),
    occurredAt: new Date(String(event.metadata.occurredAt)).toISOString(),
    type: event.type,
    data: event.data,
  }) as SourceEvent;

/**
 * The incentive ledger as of a log position, read from the log itself, in batches, from the first
 * event to that position: no view stands between a statement and the events it rests on, so what
 * the period close computed, anyone can compute again and get the same lines.
 */
export const ledgerFromLog = async (eventStore: EventStore, cutPosition: number): Promise<Ledger> => {
  const building = ledgerAsOf(cutPosition);
  let after: number | undefined;
  for (;;) {
    const batch = await eventStore.readAll({ ...(after !== undefined ? { after } : {}), maxCount: BATCH });
    for (const event of batch) {
      if (event.position > cutPosition) return building.ledger;
      if (READ.has(event.type)) building.add(asSource(event));
    }
    if (batch.length < BATCH) return building.ledger;
    after = batch.at(-1)!.position;
  }
};
