import type { FastifyRequest } from 'fastify';
import { HttpProblem } from './problems.js';
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
  const reached = await services.runner.waitFor(projections, position, services.readAfterTimeoutMs);
  if (!reached) {
    throw new HttpProblem(
      503,
      'view-behind',
      'The view has not caught up yet',
      `The ${projections.join(', ')} view has not yet applied position ${position}; retry shortly`,
      { position, projections },
      { 'Retry-After': '1' },
    );
  }
};
