import { aggregateOf } from '../../domain/aggregates.js';
import type { RecordedEvent } from '../ports/eventStore.js';

type Fold = { initialState: () => unknown; evolve: (state: unknown, event: { type: string; data: unknown }) => unknown };

/** The state after each event of a stream's prefix, in order; null throughout for a category no aggregate owns. */
export const statesAfterEach = (streamId: string, events: readonly RecordedEvent[]): unknown[] => {
  const aggregate = aggregateOf(streamId);
  if (!aggregate) return events.map(() => null);
  // The catalog pairs each category with the decider of its own events, so its fold takes what its stream holds.
  const { initialState, evolve } = aggregate.decider as Fold;
  let state = initialState();
  return events.map((event) => (state = evolve(state, { type: event.type, data: event.data })));
};
