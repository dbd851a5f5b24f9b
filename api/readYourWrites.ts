import type { FastifyRequest } from 'fastify';
import { ViewBehind } from '../application/errors.js';
import type { ApiServices } from './services.js';

/**
 * A client that just wrote passes the position it got back (`?after=` or
 * `X-After-Position`); the view waits, bounded, until its projections have applied it.
 */
export const awaitPosition = async (services: ApiServices, request: FastifyRequest, projections: string[], after: number | undefined) => {
  const header = request.headers['x-after-position'];
  const fromHeader = typeof header === 'string' && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
  const position = after ?? fromHeader;
  if (position === undefined) return;
  if (!(await services.projections.waitFor(projections, position, services.readAfterTimeoutMs))) throw new ViewBehind(projections, position);
};
