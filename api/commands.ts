import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CommandEnvelope, CommandResult } from '../application/commandPipeline.js';
import { idFromKey, newId } from '../application/ids.js';
import { HttpProblem } from './problems.js';

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** What every command answers; the ETag carries the revision for a later If-Match. */
export const CommandResponse = z.object({
  id: z.string(),
  streamId: z.string(),
  revision: z.number().int(),
  position: z.number().int(),
  events: z.array(z.string()),
});

export const commandResponses = { 200: CommandResponse, 201: CommandResponse };

const idempotencyKey = (request: FastifyRequest): string | undefined => {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || !IDEMPOTENCY_KEY.test(key)) {
    throw new HttpProblem(400, 'invalid-input', 'The request is not valid', 'Idempotency-Key must be 8-128 characters of letters, digits and . _ : -', {
      errors: [{ in: 'headers', field: 'idempotency-key', message: '8-128 characters of [A-Za-z0-9._:-]' }],
    });
  }
  return key;
};

const ifMatch = (request: FastifyRequest): number | undefined => {
  const raw = request.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const match = /^(?:W\/)?"?(-?\d{1,15})"?$/.exec(String(raw).trim());
  if (!match) {
    throw new HttpProblem(400, 'invalid-input', 'The request is not valid', 'If-Match must be a revision as returned in an ETag, such as "3"', {
      errors: [{ in: 'headers', field: 'if-match', message: 'a revision number, quoted or bare' }],
    });
  }
  return Number(match[1]);
};

/**
 * Binds the key to this exact request by this exact caller, so a reused key with another body, or
 * another caller's key that happens to match, is caught rather than replayed.
 */
const requestHash = (request: FastifyRequest) =>
  createHash('sha256')
    .update(
      canonicalize({ actor: request.actor.id, method: request.method, route: request.routeOptions.url, params: request.params ?? {}, body: request.body ?? null }) ?? '',
    )
    .digest('hex');

export const commandEnvelope = (request: FastifyRequest): CommandEnvelope => {
  const key = idempotencyKey(request);
  const expected = ifMatch(request);
  const correlation = request.headers['x-correlation-id'];
  return {
    commandId: key ?? newId(),
    ...(key ? { requestHash: requestHash(request) } : {}),
    actor: request.actor,
    correlationId: typeof correlation === 'string' && correlation.length <= 128 ? correlation : request.id,
    ...(expected !== undefined ? { ifMatch: expected } : {}),
  };
};

/**
 * The id of a stream a command creates: the caller's, else derived from its
 * Idempotency-Key (so a retry lands on the same stream), else a fresh UUIDv7.
 */
export const newStreamId = (request: FastifyRequest, given?: string): string => {
  if (given) return given;
  const key = idempotencyKey(request);
  return key ? idFromKey(`${request.actor.id} ${request.method} ${request.routeOptions.url}`, key) : newId();
};

/** `extra` carries what a route answers beside the usual fields (the findings a promise raised). */
export const sendCommandResult = (reply: FastifyReply, id: string, result: CommandResult, status: 200 | 201, extra: Record<string, unknown> = {}) => {
  const { replayed, ...body } = result;
  if (replayed) reply.header('Idempotent-Replayed', 'true');
  return reply
    .code(status)
    .header('ETag', `"${result.revision}"`)
    .send({ id, ...body, ...extra });
};
