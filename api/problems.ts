import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AlreadyExists,
  ConcurrencyConflict,
  Forbidden,
  IdempotencyKeyReused,
  NotFound,
  PreconditionFailed,
  RuleRefused,
  ViewBehind,
} from '../application/errors.js';
import { EventStoreUnavailable } from '../application/ports/eventStore.js';
import { InvalidCursor, InvalidQuery, UnknownField } from '../application/ports/readStore.js';
import { ViewNotReady } from '../projections/viewReader.js';

/**
 * RFC 9457 problem details; `type` is stable per kind of error, so clients can branch on it. The
 * schema is what the API description publishes for every problem answer; the extensions named
 * here are those clients act on, and a kind of error may add others.
 */
export const ProblemDocument = z
  .object({
    type: z.string().describe('Stable per kind of error, such as /problems/rule-refused: branch on it'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional().describe('The path of the request, without its query string'),
    requestId: z.string().optional().describe('The X-Request-Id of the request, as logged'),
    errors: z
      .array(z.object({ in: z.string(), field: z.string(), message: z.string(), code: z.string().optional() }))
      .optional()
      .describe('400: each part of the request refused, field by field'),
    rule: z.object({ id: z.string(), name: z.string() }).optional().describe('422 and some 403: the business rule that refused the request'),
  })
  .catchall(z.unknown());

export type Problem = z.infer<typeof ProblemDocument>;

export const problemType = (kind: string) => `/problems/${kind}`;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const sendProblem = (reply: FastifyReply, request: FastifyRequest, problem: HttpProblem) => {
  const body: Problem = {
    type: problemType(problem.kind),
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    // The path alone: a query string may carry what must not be echoed (a key pasted into the URL).
    instance: request.url.split('?', 1)[0]!,
    requestId: request.id,
    ...problem.extensions,
  };
  return reply.code(problem.status).headers(problem.headers).type('application/problem+json').send(body);
};

/** Every error the API can raise, turned into one problem document in one place. */
export const toProblem = (error: unknown): HttpProblem => {
  if (error instanceof HttpProblem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const location = (error as FastifyError).validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      in: location,
      field: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)',
      message: v.message,
      code: v.keyword,
    }));
    const summary = errors.map((e) => `${e.in}${e.field === '(root)' ? '' : `.${e.field}`}: ${e.message}`).join('; ');
    return new HttpProblem(400, 'invalid-input', 'The request is not valid', summary, { errors });
  }
  if (error instanceof NotFound) return new HttpProblem(404, 'not-found', `${error.what} not found`, error.message, { resource: error.what, id: error.id });
  if (error instanceof AlreadyExists) return new HttpProblem(409, 'already-exists', 'It already exists', error.message, { streamId: error.streamId });
  if (error instanceof ConcurrencyConflict) {
    return new HttpProblem(409, 'concurrency-conflict', 'Changed by someone else', `${error.message}; reload and try again`, { streamId: error.streamId });
  }
  if (error instanceof PreconditionFailed) {
    return new HttpProblem(412, 'precondition-failed', 'The stream moved on', error.message, {
      streamId: error.streamId,
      expectedRevision: error.expected,
      currentRevision: error.actual,
    });
  }
  if (error instanceof IdempotencyKeyReused) {
    return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key already used for another request', error.message, { idempotencyKey: error.commandId });
  }
  if (error instanceof RuleRefused) {
    const { refused, detail, policyVersion } = error.refusal;
    return new HttpProblem(422, 'rule-refused', `Refused: ${refused.name}`, detail, {
      rule: { id: refused.id, name: refused.name },
      ...(policyVersion !== undefined ? { policyVersion } : {}),
    });
  }
  if (error instanceof Forbidden) return new HttpProblem(403, 'forbidden', 'Not allowed', error.message);
  // UnknownCollection is left to fall through to 500: the API names collections itself, so one unknown is our bug.
  if (error instanceof UnknownField || error instanceof InvalidQuery) return new HttpProblem(400, 'invalid-input', 'The request is not valid', error.message);
  if (error instanceof InvalidCursor) {
    return new HttpProblem(400, 'invalid-input', 'The request is not valid', error.message, { errors: [{ in: 'querystring', field: 'cursor', message: error.message }] });
  }
  if (error instanceof ViewBehind) {
    return new HttpProblem(503, 'view-behind', 'The view has not caught up yet', error.message, { position: error.position, projections: error.projections }, { 'Retry-After': '1' });
  }
  if (error instanceof ViewNotReady) return new HttpProblem(503, 'view-not-ready', 'View not ready', error.message, {}, { 'Retry-After': '1' });
  if (error instanceof EventStoreUnavailable) {
    return new HttpProblem(503, 'event-store-unavailable', 'The event store cannot serve this now', error.message, {}, { 'Retry-After': '5' });
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpProblem(414, 'uri-too-long', 'A path parameter is too long', 'A path parameter is longer than the router accepts; ids are at most 100 characters');
    case 'FST_ERR_BAD_URL':
      return new HttpProblem(400, 'invalid-input', 'The request is not valid', 'The path is not a valid URL: a percent-escape does not decode');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpProblem(400, 'invalid-json', 'The body is not valid JSON', fastifyError.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpProblem(415, 'unsupported-media-type', 'Send application/json', fastifyError.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpProblem(413, 'body-too-large', 'The body is too large', fastifyError.message);
  }
  if (fastifyError.statusCode === 404) return new HttpProblem(404, 'not-found', 'No such route', fastifyError.message);
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new HttpProblem(fastifyError.statusCode, 'bad-request', 'The request cannot be served', fastifyError.message);
  }
  return new HttpProblem(500, 'internal', 'Something went wrong on our side', 'The error was logged with this request id');
};
