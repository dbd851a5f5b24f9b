import { createLedgerClient, type paths, type Problem } from '../../client/ledgerClient.js';

export type { Problem };

/** The API as the console calls it: the typed client generated from /openapi.json, on this origin, with the signed-in key. */
export const createConsoleClient = (apiKey: string) => createLedgerClient({ baseUrl: window.location.origin, apiKey });
export type Ledger = ReturnType<typeof createConsoleClient>;

type JsonOf<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : never;
/** The body a route answers with 200 (or 201 for a command that creates), as the API description states it. */
export type Answer<Path extends keyof paths, Method extends 'get' | 'post'> = paths[Path][Method] extends { responses: infer Responses }
  ? Responses extends { 200: infer Ok }
    ? JsonOf<Ok>
    : Responses extends { 201: infer Created }
      ? JsonOf<Created>
      : never
  : never;

export type Me = Answer<'/me', 'get'>;
export type Permission = Me['permissions'][number];
export type Role = Me['role'];
export type CommandResult = Answer<'/compliance/findings/{id}/acknowledge', 'post'>;

/** A refusal or failure as the API answered it: the problem document, kept whole to show its rule. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = 'ApiProblem';
  }
}

const unreadable = (response: Response): Problem => ({
  type: 'about:blank',
  title: response.statusText || 'Request failed',
  status: response.status,
  detail: `The server answered ${response.status} without a problem document`,
});

/** The answer's body, or an ApiProblem carrying the problem document the API sent instead. */
export const answered = async <Body>(call: Promise<{ data?: Body; error?: unknown; response: Response }>): Promise<Body> => {
  const { data, error, response } = await call;
  if (error !== undefined || data === undefined) {
    const problem = typeof error === 'object' && error !== null && 'type' in error ? (error as Problem) : unreadable(response);
    throw new ApiProblem(problem);
  }
  return data;
};
