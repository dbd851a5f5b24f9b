import type { DecisionContext, Refusal } from '../domain/shared/decider.js';
import type { RosterEntry } from '../domain/team/ownership.js';
import { actorMayAct, repAggregate, repFacts } from '../domain/team/rep.js';
import { stateOf } from './loadAggregate.js';
import type { EventStore } from './ports/eventStore.js';

/** What the roster says of an actor, read from their own stream; undefined for one never hired. */
export const rosterEntry = async (eventStore: EventStore, actorId: string): Promise<RosterEntry | undefined> => {
  const rep = await stateOf(eventStore, repAggregate, actorId);
  const facts = rep && repFacts(rep);
  return facts && { actorId: facts.actorId, role: facts.role, active: facts.active, ...(facts.managerId !== undefined ? { managerId: facts.managerId } : {}) };
};

/**
 * REP-04: whether the roster lets an actor issue commands. The rep's own stream is read (one short
 * read), not a view, so an offboarding bites at once; only the sales roles are gated.
 */
export const rosterRefusal = async (eventStore: EventStore, actor: DecisionContext['actor']): Promise<Refusal | undefined> => {
  const rep = await stateOf(eventStore, repAggregate, actor.id);
  return actorMayAct(actor, rep && repFacts(rep));
};
