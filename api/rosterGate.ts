import type { FastifyInstance } from 'fastify';
import { loadAggregate } from '../application/loadAggregate.js';
import type { EventStore } from '../application/ports/eventStore.js';
import { actorMayAct, repDecider, repFacts, repStreamId } from '../domain/team/rep.js';
import { HttpProblem } from './problems.js';

/**
 * REP-04: an offboarded rep's key may still authenticate, but it issues no command. The rep's own
 * stream is read on every command (one short read), not a view, so an offboarding bites at once.
 * An actor never hired onto the roster (an auditor, a compliance officer) is judged by role alone.
 */
export const registerRosterGate = (app: FastifyInstance, eventStore: EventStore) => {
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || !request.routeOptions.config.allow) return;
    const rep = await loadAggregate(eventStore, repDecider, repStreamId(request.actor.id));
    const refusal = actorMayAct(rep ? repFacts(rep.state) : undefined);
    if (refusal) {
      throw new HttpProblem(403, 'forbidden', `Not allowed: ${refusal.refused.name}`, refusal.detail, {
        rule: { id: refusal.refused.id, name: refusal.refused.name },
      });
    }
  });
};
