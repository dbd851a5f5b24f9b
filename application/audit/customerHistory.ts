import { customerStreamId } from '../../domain/customer/customer.js';
import type { Actor } from '../commandPipeline.js';
import { NotFound } from '../errors.js';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';
import { statesAfterEach } from './replay.js';

/** One event of the customer's dealings, as stored, with what its aggregate was right after it. */
export type HistoryEntry = RecordedEvent & {
  occurredAt: string;
  actor: Actor | null;
  /** The aggregate's state after this event; null for a stream no decider owns. */
  state: unknown;
};

export type CustomerHistory = {
  customerId: string;
  asOf: string;
  /** Streams with at least one event by asOf, in the order given. */
  streams: string[];
  /** Every event of those streams up to asOf, in log order (position). */
  events: HistoryEntry[];
  /** Each stream's aggregate state as it stood at asOf. */
  aggregates: Record<string, unknown>;
};

/** The customer's own stream first, then the others, each once. */
export const streamsOfCustomer = (customerId: string, tiedStreams: readonly string[]) => [...new Set([customerStreamId(customerId), ...tiedStreams])];

/** Reads every named stream; NotFound when none of them holds an event, so the customer never existed. */
export const readCustomerStreams = async (eventStore: EventStore, customerId: string, tiedStreams: readonly string[]) => {
  const streamIds = streamsOfCustomer(customerId, tiedStreams);
  const streams = await Promise.all(streamIds.map(async (streamId) => ({ streamId, events: await eventStore.readStream(streamId) })));
  if (streams.every((s) => s.events.length === 0)) throw new NotFound('Customer', customerId);
  return streams;
};

const occurredAt = (event: RecordedEvent) => String(event.metadata.occurredAt ?? '');

/**
 * A stream as it stood at `asOf`: cut at its first event after it rather than filtered, so
 * every state folded from it is one the aggregate really had, even if a clock once stepped back.
 */
export const streamAsOf = (events: RecordedEvent[], asOf: string): RecordedEvent[] => {
  const cutoff = Date.parse(asOf);
  const cut = events.findIndex((event) => !(Date.parse(occurredAt(event)) <= cutoff));
  return cut === -1 ? events : events.slice(0, cut);
};

/** Replays a customer's dealings as they stood at `asOf`. Sealed personal fields stay sealed. */
export const customerHistory = async (eventStore: EventStore, customerId: string, tiedStreams: readonly string[], asOf: string): Promise<CustomerHistory> => {
  const streams = await readCustomerStreams(eventStore, customerId, tiedStreams);
  const events: HistoryEntry[] = [];
  const aggregates: Record<string, unknown> = {};
  const present: string[] = [];
  for (const { streamId, events: all } of streams) {
    const prefix = streamAsOf(all, asOf);
    if (prefix.length === 0) continue;
    const states = statesAfterEach(streamId, prefix);
    prefix.forEach((event, i) =>
      events.push({ ...event, occurredAt: occurredAt(event), actor: (event.metadata.actor as Actor | undefined) ?? null, state: states[i] }),
    );
    aggregates[streamId] = states.at(-1);
    present.push(streamId);
  }
  events.sort((a, b) => a.position - b.position);
  return { customerId, asOf: new Date(asOf).toISOString(), streams: present, events, aggregates };
};
