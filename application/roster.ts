import { actorMayAct, repAggregate, repFacts } from '../domain/team/rep.js';
import type { Refusal } from '../domain/shared/decider.js';
import { stateOf } from './loadAggregate.js';
import type { EventStore } from './ports/eventStore.js';

/**
 * REP-04: whether the roster lets an actor issue commands. The rep's own stream is read (one short
 * read), not a view, so an offboarding bites at once; an actor never hired onto the roster (an
 * auditor, a compliance officer) is judged by role alone.
 */
export const rosterRefusal = async (eventStore: EventStore, actorId: string): Promise<Refusal | undefined> => {
  const rep = await stateOf(eventStore, repAggregate, actorId);
  return actorMayAct(rep && repFacts(rep));
};
