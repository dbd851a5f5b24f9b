import type { Decider, DomainEvent } from '../domain/shared/decider.js';
import type { EventStore } from './ports/eventStore.js';

/**
 * Folds another aggregate's stream into its current state, for decisions that read
 * beyond their own stream (the catalog, the customer, the quote behind an order).
 * Returns null when the stream does not exist.
 */
export const loadAggregate = async <State, Event extends DomainEvent>(
  eventStore: EventStore,
  decider: Pick<Decider<State, never, Event, never>, 'initialState' | 'evolve'>,
  streamId: string,
): Promise<{ state: State; revision: number } | null> => {
  const events = await eventStore.readStream(streamId);
  if (events.length === 0) return null;
  const state = events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as Event), decider.initialState());
  return { state, revision: events.at(-1)!.revision };
};
