import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IDEMPOTENCY_KEY } from './commands.js';
import { ProblemDocument } from './problems.js';

/** Every problem answer a route can give, with what a client should know of each. */
const PROBLEM_ANSWERS = {
  400: 'The request is not valid: `/problems/invalid-input` names each field refused (`errors`); `/problems/invalid-json`, a body that is not JSON in UTF-8',
  401: 'No valid API key (`/problems/unauthorized`): send `Authorization: Bearer <key>`',
  403: "The caller's role may not do this, the caller is off the sales roster, or the record is outside theirs (`/problems/forbidden`, naming the rule when one refused it)",
  404: 'What the request names does not exist (`/problems/not-found`, with `resource` and `id`)',
  409: 'It exists already (`/problems/already-exists`), or it kept changing while the command was tried (`/problems/concurrency-conflict`): reload and try again',
  412: 'If-Match named a revision the stream has moved past (`/problems/precondition-failed`, with `expectedRevision` and `currentRevision`)',
  413: 'The body is larger than this route takes (`/problems/body-too-large`)',
  414: 'A path parameter is longer than any id (`/problems/uri-too-long`)',
  415: 'The body is not `application/json` (`/problems/unsupported-media-type`)',
  422: 'A business rule refused it (`/problems/rule-refused`, naming `rule.id` and `rule.name`), or the Idempotency-Key was used for another request (`/problems/idempotency-key-reused`)',
  429: 'More requests this minute than the limit (`/problems/rate-limited`): retry after `Retry-After` seconds',
  503: 'Not served now: the event store is unavailable (`/problems/event-store-unavailable`), or the view has not caught up with `after` (`/problems/view-behind`) or is not ready (`/problems/view-not-ready`); retry after `Retry-After` seconds',
} as const;

export type ProblemStatus = keyof typeof PROBLEM_ANSWERS;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Problem answers beyond those the route's shape implies (see problemStatuses): a 404 for a record it names in its body, or before there is one. */
    problems?: readonly ProblemStatus[];
  }
}

const RETRY_AFTER = { 'Retry-After': { type: 'integer', description: 'Seconds to wait before trying again' } };
const PROBLEM_HEADERS: Partial<Record<ProblemStatus, Record<string, { type: string; description: string }>>> = {
  401: { 'WWW-Authenticate': { type: 'string', description: 'Bearer: the scheme to authenticate with' } },
  429: RETRY_AFTER,
  503: RETRY_AFTER,
};

type JsonSchema = { [keyword: string]: unknown };
type Route = Pick<RouteOptions, 'method' | 'url' | 'config'>;

/** The fields every command answers (api/commands.ts CommandResponse): a route whose success answer has them all runs a command. */
const COMMAND_RESULT_FIELDS = ['id', 'streamId', 'revision', 'position', 'events'];

const answersCommandResult = (response: Record<string, JsonSchema> | undefined) =>
  Object.entries(response ?? {}).some(
    ([status, schema]) => status.startsWith('2') && Array.isArray(schema.required) && COMMAND_RESULT_FIELDS.every((field) => (schema.required as string[]).includes(field)),
  );

const hasPathParameters = (url: string) => url.split('/').some((segment) => segment.startsWith(':'));
/** A route serving several methods is described once per method with the same operation; its first method names it. */
const methodOf = (route: Route) => [route.method].flat()[0]!.toUpperCase();

/**
 * The problem answers a route can give, read off what it is, so a route added anywhere is
 * described without being listed here: every route checks its query string (400); a route with
 * roles authenticates (401), authorizes (403) and reads the stores (503); a path parameter names
 * a record (404) and can be too long (414); a body can be too large or not JSON (413, 415); a
 * command names records (404), appends once and only over what it saw (409, 412) and is judged by
 * the rules or its Idempotency-Key (422); the rate limit answers 429 everywhere but the health
 * probes. `config.problems` adds what the shape does not show.
 */
const problemStatuses = (route: Route, { command, rateLimited }: { command: boolean; rateLimited: boolean }): ProblemStatus[] => {
  const statuses = new Set<ProblemStatus>([400]);
  const add = (...answers: ProblemStatus[]) => answers.forEach((status) => statuses.add(status));
  if (route.config?.allow !== undefined) add(401, 403, 503);
  if (hasPathParameters(route.url)) add(404, 414);
  if (['POST', 'PUT', 'PATCH'].includes(methodOf(route))) add(413, 415);
  if (command) add(404, 409, 412, 422);
  if (rateLimited && !route.url.startsWith('/health/')) add(429);
  add(...(route.config?.problems ?? []));
  return [...statuses].sort((a, b) => a - b);
};

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const words = (segment: string) => segment.split(/[^A-Za-z0-9]+/).filter(Boolean).map(capitalize).join('');

/**
 * A stable operation id from the method and the path, as client generators name their functions:
 * POST /opportunities/:id/stage is postOpportunitiesByIdStage. A route may declare its own.
 */
export const operationIdOf = (method: string, url: string) =>
  method.toLowerCase() +
  url
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `By${words(segment.slice(1))}` : words(segment)))
    .join('');

/**
 * A record whose keys are an enum (z.record(Stage, ...)) comes out of zod as additionalProperties
 * with every key required but none defined; each is defined here with the schema its value has,
 * which says the same and lets tools see the properties.
 */
const defineRequiredProperties = (node: unknown): void => {
  if (Array.isArray(node)) return node.forEach(defineRequiredProperties);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonSchema;
  const { required, additionalProperties } = schema;
  if (Array.isArray(required) && typeof additionalProperties === 'object' && additionalProperties !== null) {
    const properties = (schema.properties ??= {}) as Record<string, unknown>;
    for (const name of required as string[]) properties[name] ??= structuredClone(additionalProperties);
  }
  Object.values(schema).forEach(defineRequiredProperties);
};

const PROBLEM_SCHEMA_REF = '#/components/schemas/Problem';

/** As a route's transform gives it to @fastify/swagger; shared as components.responses.Problem<status> once the document is built. */
const problemResponse = (status: ProblemStatus) => ({
  description: PROBLEM_ANSWERS[status],
  ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
  content: { 'application/problem+json': { schema: { $ref: PROBLEM_SCHEMA_REF } } },
});

type ResponseObject = { description?: string; content?: Record<string, { schema?: { $ref?: string } }> };
type Operations = Record<string, { responses?: Record<string, ResponseObject | { $ref: string }> }>;

/**
 * Each problem answer the operations give is written once, in components.responses, and each
 * operation refers to it: the document and the types generated from it stay a readable size.
 */
const shareProblemResponses: NonNullable<FastifyDynamicSwaggerOptions['transformObject']> = (built) => {
  const document = (built as { openapiObject: { paths?: Record<string, Operations>; components?: Record<string, unknown> } }).openapiObject;
  const shared: Record<string, unknown> = {};
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [status, answer] of Object.entries(operation.responses ?? {})) {
        const problem = status in PROBLEM_ANSWERS ? (Number(status) as ProblemStatus) : undefined;
        if (problem === undefined || !('description' in answer) || answer.description !== PROBLEM_ANSWERS[problem]) continue;
        if (answer.content?.['application/problem+json']?.schema?.$ref !== PROBLEM_SCHEMA_REF) continue;
        shared[`Problem${status}`] = answer;
        operation.responses![status] = { $ref: `#/components/responses/Problem${status}` };
      }
    }
  }
  return { ...document, components: { ...document.components, responses: shared } };
};

const COMMAND_HEADERS = {
  type: 'object',
  properties: {
    'Idempotency-Key': {
      type: 'string',
      pattern: IDEMPOTENCY_KEY.source,
      description: 'Makes a retry safe: the same key with the same request answers the first result and appends nothing again',
    },
    'If-Match': { type: 'string', description: 'The ETag of the revision the caller saw, such as "3": the command appends only if the stream is still at that revision (else 412)' },
  },
};

const ETAG = { ETag: { type: 'string', description: 'The revision the command left the stream at, quoted: send it back as If-Match' } };

/** Adds to one route's description what every route of its kind answers; see problemStatuses. */
const describeOperation =
  ({ rateLimited }: { rateLimited: boolean }): NonNullable<FastifyDynamicSwaggerOptions['transform']> =>
  (input) => {
    const { schema: converted, url } = jsonSchemaTransform(input);
    const schema = { ...(converted ?? {}) } as JsonSchema;
    if (schema.hide) return { schema, url };
    defineRequiredProperties(schema);
    const { route } = input;
    const response = { ...((schema.response as Record<string, JsonSchema> | undefined) ?? {}) };
    // What @fastify/swagger says of a route that declares no answer, kept once problem answers are added.
    if (!Object.keys(response).some((status) => status.startsWith('2'))) response[200] = { description: 'Default Response' };
    const command = answersCommandResult(response);
    for (const status of problemStatuses(route, { command, rateLimited })) response[status] ??= problemResponse(status);
    if (command) {
      for (const [status, answer] of Object.entries(response)) if (status.startsWith('2')) response[status] = { ...answer, headers: ETAG };
      const given = (schema.headers as JsonSchema | undefined) ?? {};
      schema.headers = { ...COMMAND_HEADERS, ...given, properties: { ...COMMAND_HEADERS.properties, ...(given.properties as object | undefined) } };
    }
    return {
      url,
      schema: {
        ...schema,
        operationId: schema.operationId ?? operationIdOf(methodOf(route), route.url),
        ...(route.config?.allow === undefined ? { security: [] } : {}),
        response,
      },
    };
  };

/**
 * The OpenAPI document served at /openapi.json and browsed at /docs: every route's shapes from its
 * zod schemas, and for each operation a stable id and the problem answers it can give.
 */
export const apiDescription = ({ rateLimited }: { rateLimited: boolean }): FastifyDynamicSwaggerOptions => ({
  openapi: {
    info: {
      title: 'Sales conduct ledger',
      version: '0.1.0',
      description:
        'Every sales action as an immutable, hash-chained event. Commands answer { id, streamId, revision, position, events } with an ETag of the revision; errors are application/problem+json.',
      license: { name: 'Proprietary: all rights reserved' },
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      schemas: { Problem: z.toJSONSchema(ProblemDocument, { target: 'openapi-3.0' }) as Record<string, unknown> },
    },
    security: [{ apiKey: [] }],
  },
  transform: describeOperation({ rateLimited }),
  transformObject: shareProblemResponses,
});
