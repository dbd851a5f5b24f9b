import { aggregateOf } from '../../domain/aggregates.js';

/** How the audit folds one stream's events, one at a time. */
export type ReplayFold = { initialState: () => unknown; evolve: (state: unknown, event: { type: string; data: unknown }) => unknown };

const NO_AGGREGATE: ReplayFold = { initialState: () => null, evolve: () => null };

/** The fold of a stream's own aggregate; null throughout for a category no aggregate owns. */
export const replayFoldOf = (streamId: string): ReplayFold => {
  const aggregate = aggregateOf(streamId);
  // The catalog pairs each category with the decider of its own events, so its fold takes what its stream holds.
  return aggregate ? (aggregate.decider as ReplayFold) : NO_AGGREGATE;
};
