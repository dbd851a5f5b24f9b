import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './problems.js';

/** Who a limit counts against: the key presented (by its hash, never the key itself), else the address. */
const caller = (request: FastifyRequest) => {
  const authorization = request.headers.authorization;
  return authorization ? `key:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}` : `ip:${request.ip}`;
};

/** A caller sending more than `perMinute` requests in a minute gets a 429 problem with Retry-After until the minute turns. */
export const registerRateLimit = (app: FastifyInstance, perMinute: number) =>
  app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: caller,
    // Probes from balancers and orchestrators are not callers to throttle.
    allowList: (request) => request.url.startsWith('/health/'),
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(
        429,
        'rate-limited',
        'Too many requests',
        `More than ${context.max} requests a minute from one caller; retry in ${Math.ceil(context.ttl / 1000)} s`,
        { limit: context.max },
        { 'Retry-After': String(Math.ceil(context.ttl / 1000)) },
      ),
  });
