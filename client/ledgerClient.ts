import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** What every refusal answers (application/problem+json); branch on `type`. */
export type Problem = components['schemas']['Problem'];

/**
 * A client of the API typed by the OpenAPI document the server serves (client/schema.d.ts,
 * generated from it by `npm run client:types`): every path, parameter, body, answer and problem.
 */
export const createLedgerClient = ({ baseUrl, apiKey }: { baseUrl: string; apiKey: string }) =>
  // It reads answers as JSON: a route's other media (the audit history's JSON Lines) are for streaming readers.
  createClient<paths, 'application/json' | 'application/problem+json'>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` } });
