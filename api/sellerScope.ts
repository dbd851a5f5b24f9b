import type { FastifyRequest } from 'fastify';
import type { InCondition } from '../application/ports/readStore.js';
import { ownersInView } from '../domain/team/ownership.js';
import { REP_DOCS, REPS, type RepView } from '../projections/reps/repsProjection.js';
import { HttpProblem } from './problems.js';
import type { ApiServices } from './services.js';

/**
 * The owners a caller's views are limited to (article 36), and the filter that says so: a rep
 * sees their own records, a manager their team's, the other roles everyone's. Asking for an owner
 * outside that scope is a 403, not an empty page, so a caller is never misled.
 */
export const ownerFilter = async (services: ApiServices, request: FastifyRequest, ownerId: string | undefined): Promise<string | InCondition | undefined> => {
  const team = request.actor.role === 'sales_manager' ? ((await services.views.all(REPS, REP_DOCS, { where: { managerId: request.actor.id } })) as RepView[]) : [];
  const scope = ownersInView(request.actor, team.map((rep) => rep.id));
  if (!scope) return ownerId;
  if (ownerId === undefined) return { in: scope };
  if (scope.includes(ownerId)) return ownerId;
  throw new HttpProblem(403, 'forbidden', 'Not allowed: outside your records', `A ${request.actor.role} sees their own records${request.actor.role === 'sales_manager' ? " and their team's" : ''}, not ${ownerId}'s`);
};
