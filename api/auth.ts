import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../application/commandPipeline.js';
import type { ApiKeys, Role } from '../application/roles.js';
import type { Rule } from '../domain/shared/decider.js';
import { HttpProblem } from './problems.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** Roles that may call the route; a route without it is public (health, docs, metrics). */
    allow?: readonly Role[];
    /** The business rule the role check enforces, named in the 403 as a refusal would name it (a waiver's segregation of duties). */
    allowRule?: Rule;
  }
}

const findKey = (keys: ApiKeys, presented: string) => {
  const candidate = Buffer.from(presented);
  for (const [key, identity] of Object.entries(keys)) {
    const known = Buffer.from(key);
    if (known.length === candidate.length && timingSafeEqual(known, candidate)) return identity;
  }
  return null;
};

/** `Authorization: Bearer <key>` -> the actor every event of the request will record. */
export const registerAuthentication = (app: FastifyInstance, keys: ApiKeys) => {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const allow = request.routeOptions.config.allow;
    if (!allow) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const identity = match ? findKey(keys, match[1]!) : null;
    if (!identity) {
      throw new HttpProblem(401, 'unauthorized', 'Authentication required', 'Send a valid API key as "Authorization: Bearer <key>"', {}, { 'WWW-Authenticate': 'Bearer' });
    }
    request.actor = { id: identity.actorId, role: identity.role };
    if (!allow.includes(identity.role)) {
      throw new HttpProblem(403, 'forbidden', 'Not allowed', `The role ${identity.role} may not ${request.method} ${request.routeOptions.url}`, {
        role: identity.role,
        allowedRoles: allow,
        ...(request.routeOptions.config.allowRule ? { rule: request.routeOptions.config.allowRule } : {}),
      });
    }
  });
};
