import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../application/ports/eventStore.js';
import { rosterRefusal } from '../application/roster.js';
import { HttpProblem } from './problems.js';

/** REP-04 on every command: an offboarded rep's key may still authenticate, but it issues no command. */
export const registerRosterGate = (app: FastifyInstance, eventStore: EventStore) => {
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || !request.routeOptions.config.allow) return;
    const refusal = await rosterRefusal(eventStore, request.actor);
    if (refusal) {
      throw new HttpProblem(403, 'forbidden', `Not allowed: ${refusal.refused.name}`, refusal.detail, {
        rule: { id: refusal.refused.id, name: refusal.refused.name },
      });
    }
  });
};
