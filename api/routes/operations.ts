import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { EventStoreAccessDenied } from '../../application/ports/eventStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { viewsAheadOf } from '../../projections/projectionRunner.js';
import { HttpProblem } from '../problems.js';
import type { ApiServices } from '../services.js';

export const operationRoutes =
  (services: ApiServices, metrics: Registry): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/health/live', { schema: { tags: ['operations'], summary: 'The process is up' } }, async () => ({ status: 'live' }));

    app.get(
      '/health/ready',
      {
        schema: {
          tags: ['operations'],
          summary: 'The event store, the read store and the key store all answer, and no view is ahead of the log',
          description:
            'A view that has applied a position beyond the log\'s head shows events the log no longer holds: its end was removed. `viewsAheadOfLog` names each such view, and the answer is 503 until the log is restored and the views rebuilt. `problems`, when present, says for a store that is down what an operator must fix, such as a right the event store refuses the service.',
        },
      },
      async (_request, reply) => {
        // Only what the operator must fix is said; other failures could tell a caller about the network.
        const problems: Record<string, string> = {};
        const check = (store: string, ping: () => Promise<void>) =>
          ping().then(
            () => 'up' as const,
            (error: unknown) => {
              if (error instanceof EventStoreAccessDenied) problems[store] = error.message;
              return 'down' as const;
            },
          );
        const statuses = services.runner.status();
        const [eventStore, readStore, keyStore] = await Promise.all([
          check('eventStore', () => services.eventStore.ping()),
          check('readStore', () => services.readStore.ping()),
          check('keyStore', () => services.keyStore.ping()),
        ]);
        const viewsAheadOfLog = eventStore === 'up' ? viewsAheadOf(statuses, await services.eventStore.headPosition()) : [];
        const views = viewsAheadOfLog.length === 0 ? ('consistent' as const) : ('ahead_of_log' as const);
        const ready = eventStore === 'up' && readStore === 'up' && keyStore === 'up' && views === 'consistent';
        return reply
          .code(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'not_ready', checks: { eventStore, readStore, keyStore, views }, viewsAheadOfLog, ...(Object.keys(problems).length > 0 ? { problems } : {}) });
      },
    );

    app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: true } }, async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.metrics()),
    );

    app.get(
      '/admin/projections',
      {
        config: { allow: PERMISSIONS.operate },
        schema: {
          tags: ['operations'],
          summary: 'Each projection, the generation serving reads and any rebuild under way',
          description: '`aheadOfLog` is true for a view that has applied a position beyond the log\'s `head`: the log lost its end, and the view shows events it no longer holds.',
        },
      },
      async () => {
        const statuses = services.runner.status();
        const head = await services.eventStore.headPosition();
        const ahead = viewsAheadOf(statuses, head);
        return { head, projections: statuses.map((status) => ({ ...status, aheadOfLog: ahead.includes(status.name) })) };
      },
    );

    app.post(
      '/admin/projections/:name/rebuild',
      {
        config: { allow: PERMISSIONS.operate },
        schema: {
          tags: ['operations'],
          summary: 'Rebuild a view from zero into new collections; reads switch over when it has caught up',
          params: z.object({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/) }).strict(),
        },
      },
      async (request, reply) => {
        const known = services.runner.status().some((s) => s.name === request.params.name);
        if (!known) throw new HttpProblem(404, 'not-found', 'Projection not found', `There is no projection named ${request.params.name}`);
        const generation = await services.runner.rebuild(request.params.name);
        return reply.code(202).send({ projection: request.params.name, building: generation });
      },
    );
  };
