import swagger from '@fastify/swagger';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiDescription, operationIdOf } from '../../api/apiDescription.js';
import { CommandResponse } from '../../api/commands.js';
import { createServer } from '../../api/server.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

type Response = { $ref?: string; description?: string; content?: Record<string, { schema?: { $ref?: string } }> };
type Operation = { operationId?: string; security?: unknown[]; parameters?: { in: string; name: string }[]; responses: Record<string, Response> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, Response> } };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operationsOf = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, method, path, operation })),
  );
const problemStatusesOf = (operation: Operation) =>
  Object.entries(operation.responses)
    .filter(([, response]) => response.$ref?.startsWith('#/components/responses/Problem'))
    .map(([status]) => Number(status));
const isCommand = (operation: Operation) => (operation.parameters ?? []).some((p) => p.in === 'header' && p.name === 'Idempotency-Key');

/**
 * Rules of Redocly's recommended set turned off, each with its reason:
 * - info-license-strict: on OpenAPI 3.0 it asks for the license's URL, and the API is proprietary,
 *   with no published license text to point to; the document names the license (info-license holds).
 */
const RULES_OFF = { 'info-license-strict': 'off' } as const;

let t: TestApp;
let document: Document;
beforeAll(async () => {
  t = await startTestApp();
  document = (await t.app.inject('/openapi.json')).json();
});
afterAll(() => t.close());

describe('the API description at /openapi.json', () => {
  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const config = await createConfig({ extends: ['recommended'], rules: RULES_OFF });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
  });

  it('names a server and a license', () => {
    const served = document as unknown as { servers: { url: string }[]; info: { license: { name: string } } };
    expect(served.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(served.info.license.name).toMatch(/Proprietary/);
  });

  it('gives every operation a unique operationId made of its method and path', () => {
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(80);
    const missing = operations.filter(({ operation }) => !operation.operationId).map(({ name }) => name);
    expect(missing).toEqual([]);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const paths = Object.fromEntries(operations.map(({ name, operation }) => [name, operation.operationId]));
    expect(paths).toMatchObject({
      'POST /customers': 'postCustomers',
      'POST /opportunities/{id}/stage': 'postOpportunitiesByIdStage',
      'GET /views/pipeline/summary': 'getViewsPipelineSummary',
      'GET /policy/revisions/{n}': 'getPolicyRevisionsByN',
      'POST /customers/{id}/credit-limit': 'postCustomersByIdCreditLimit',
    });
  });

  it('documents on every operation the problem answers its kind of route gives, each an RFC 9457 problem document', () => {
    for (const [name, response] of Object.entries(document.components.responses)) {
      expect(response.content, name).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
    }
    const lacking = operationsOf(document).flatMap(({ name, path, operation }) => {
      const statuses = problemStatusesOf(operation);
      const authenticated = operation.security === undefined;
      const expected = [
        400,
        ...(authenticated ? [401, 403, 503] : []),
        ...(path.includes('{') ? [404] : []),
        ...(isCommand(operation) ? [404, 409, 412, 422] : []),
        ...(path.startsWith('/health/') ? [] : [429]),
      ];
      const missing = expected.filter((status) => !statuses.includes(status));
      const unexpected = authenticated ? [] : statuses.filter((status) => [401, 403].includes(status));
      return missing.length + unexpected.length > 0 ? [`${name}: missing ${missing.join(', ')}; not answered ${unexpected.join(', ')}`] : [];
    });
    expect(lacking).toEqual([]);
    expect(problemStatusesOf(document.paths['/opportunities/{id}/stage']!.post!)).toEqual([400, 401, 403, 404, 409, 412, 413, 414, 415, 422, 429, 503]);
    expect(problemStatusesOf(document.paths['/views/pipeline']!.get!)).toEqual([400, 401, 403, 429, 503]);
    expect(problemStatusesOf(document.paths['/health/live']!.get!)).toEqual([400]);
    expect(problemStatusesOf(document.paths['/audit/anchors/latest']!.get!)).toContain(404);
  });

  it('answers 401 with a problem document on every operation it describes as needing a key, as described', async () => {
    const authenticated = operationsOf(document).filter(({ operation }) => operation.security === undefined);
    const answers = await Promise.all(
      authenticated.map(async ({ name, method, path }) => {
        const response = await t.app.inject({ method: method.toUpperCase() as 'GET', url: path.replaceAll(/\{[^}]+\}/g, 'x') });
        return `${name} ${response.statusCode} ${response.headers['content-type']}`;
      }),
    );
    expect(answers).toEqual(authenticated.map(({ name }) => `${name} 401 application/problem+json; charset=utf-8`));
  });
});

describe('routes added anywhere', () => {
  it('are described by what they are, without being listed: a new command, a new read, a new public route', async () => {
    const app = createServer({ logger: pino({ level: 'silent' }), http: { rateLimitPerMinute: 60, requestTimeoutMs: 1000, connectionTimeoutMs: 1000 } });
    await app.register(swagger, apiDescription({ rateLimited: true }));
    const noAnswer = async () => {
      throw new Error('described, never called');
    };
    app.post(
      '/widgets/:id/polish',
      { config: { allow: ['sales_rep'] }, schema: { summary: 'Polish a widget', params: z.object({ id: z.string() }), body: z.object({}), response: { 200: CommandResponse } } },
      noAnswer,
    );
    app.get('/views/widgets', { config: { allow: ['analyst'] }, schema: { summary: 'Widgets', response: { 200: z.object({ items: z.array(z.string()) }) } } }, noAnswer);
    app.get('/health/widgets', { schema: { summary: 'Widgets answer' } }, noAnswer);
    await app.ready();
    const described = app.swagger() as unknown as Document;
    await app.close();

    const polish = described.paths['/widgets/{id}/polish']!.post!;
    expect(polish.operationId).toBe('postWidgetsByIdPolish');
    expect(problemStatusesOf(polish)).toEqual([400, 401, 403, 404, 409, 412, 413, 414, 415, 422, 429, 503]);
    expect(polish.parameters?.filter((p) => p.in === 'header').map((p) => p.name)).toEqual(['Idempotency-Key', 'If-Match']);
    const widgets = described.paths['/views/widgets']!.get!;
    expect([widgets.operationId, problemStatusesOf(widgets)]).toEqual(['getViewsWidgets', [400, 401, 403, 429, 503]]);
    const health = described.paths['/health/widgets']!.get!;
    expect([health.operationId, health.security, problemStatusesOf(health), Object.keys(health.responses)]).toEqual(['getHealthWidgets', [], [400], ['200', '400']]);
  });

  it('get operation ids from the method and every segment of the path', () => {
    expect(operationIdOf('POST', '/promises/on-behalf')).toBe('postPromisesOnBehalf');
    expect(operationIdOf('GET', '/streams/:streamId/verify')).toBe('getStreamsByStreamIdVerify');
    expect(operationIdOf('POST', '/admin/projections/:name/retry')).toBe('postAdminProjectionsByNameRetry');
  });
});
