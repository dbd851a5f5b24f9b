import type { Decider, DomainEvent } from '../domain/shared/decider.js';
import { NotFound } from './errors.js';
import { foldedStatesOf } from './foldedStates.js';
import type { EventStore } from './ports/eventStore.js';

/**
 * Folds another aggregate's stream into its current state, for decisions that read
 * beyond their own stream (the catalog, the customer, the quote behind an order), from the state
 * kept for it, reading only the events appended since. Returns null when the stream does not exist.
 */
export const loadAggregate = async <State, Event extends DomainEvent>(
  eventStore: EventStore,
  decider: Pick<Decider<State, never, Event, never>, 'initialState' | 'evolve'>,
  streamId: string,
): Promise<{ state: State; revision: number } | null> => {
  const { state, revision } = await foldedStatesOf(eventStore).load(decider, streamId);
  return revision < 0 ? null : { state, revision };
};

/** NotFound unless the aggregate's stream holds at least one event: for a command that names another aggregate by id. */
export const mustExist = async (eventStore: EventStore, aggregate: { name: string; streamId: (id: string) => string }, id: string): Promise<void> => {
  const found = await eventStore.readStream(aggregate.streamId(id), { maxCount: 1 });
  if (found.length === 0) throw new NotFound(aggregate.name, id);
};

/** Another aggregate's current state, by its description and id; undefined when its stream is empty. */
export const stateOf = async <State, Event extends DomainEvent>(
  eventStore: EventStore,
  aggregate: { streamId: (id: string) => string; decider: Pick<Decider<State, never, Event, never>, 'initialState' | 'evolve'> },
  id: string,
): Promise<State | undefined> => (await loadAggregate(eventStore, aggregate.decider, aggregate.streamId(id)))?.state;
