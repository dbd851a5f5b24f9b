import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { EventStoreAccessDenied } from '../../application/ports/eventStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { viewsAheadOf, type ProjectionStatus } from '../../projections/projectionRunner.js';
import { HttpProblem } from '../problems.js';
import type { ApiServices } from '../services.js';

/** What health, readiness and metrics read; a worker process has these and nothing of the API. */
export type HealthServices = Pick<ApiServices, 'eventStore' | 'readStore' | 'keyStore' | 'projections' | 'followers'>;

const ProjectionName = z.object({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/) }).strict();

/** What a balancer and a monitor ask of every process, API or worker: no key needed. */
export const healthRoutes =
  (services: HealthServices, metrics: Registry): FastifyPluginAsyncZod =>
  async (app) => {
    // The log's head when this process began serving: until every view has an active generation
    // that reached it, views would answer 503 or show an old state, so the process is not ready.
    // Once reached it stays so: a view behind under load is what `?after=` is for, not a reason to leave the balancer.
    const headAtStart = services.eventStore.headPosition().catch(() => null);
    let caughtUp = false;
    const viewsCatchingUp = async (statuses: ProjectionStatus[] | null): Promise<string[] | null> => {
      if (caughtUp) return [];
      if (!statuses) return null;
      const head = (await headAtStart) ?? 0;
      const behind = statuses.filter(({ active }) => !active || (active.position ?? 0) < head).map(({ name }) => name);
      caughtUp = behind.length === 0;
      return behind;
    };

    app.get(
      '/health/live',
      { schema: { tags: ['operations'], summary: 'The process is up', response: { 200: z.object({ status: z.literal('live') }) } } },
      async () => ({ status: 'live' as const }),
    );

    app.get(
      '/health/ready',
      {
        schema: {
          tags: ['operations'],
          summary: 'The event store, the read store and the key store all answer, no view is ahead of the log, and every follower is at work',
          description:
            'A view that has applied a position beyond the log\'s head shows events the log no longer holds: its end was removed. `viewsAheadOfLog` names each such view, and the answer is 503 until the log is restored and the views rebuilt. ' +
            '`followersNotRunning` names each follower (view, reactor, watcher) that is `retrying` after an error or `failed` on an event that fails every time, or `unheld` by any worker, with its error; the answer is 503 while there is one. A failed follower waits for POST /admin/projections/{name}/retry. ' +
            '`viewsCatchingUp` names each view that, since this process started, has not yet reached the log\'s head as it was then (a first build, or catching up after a restart); the answer is 503 until none is left, and stays ready after. ' +
            '`problems`, when present, says for a store that is down what an operator must fix, such as a right the event store refuses the service.',
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
        // Taken before the head is read (see viewsAheadOf); unknown while the read store is down.
        const statuses = await services.projections.status().catch(() => null);
        const [eventStore, readStore, keyStore] = await Promise.all([
          check('eventStore', () => services.eventStore.ping()),
          check('readStore', () => services.readStore.ping()),
          check('keyStore', () => services.keyStore.ping()),
        ]);
        const viewsAheadOfLog = eventStore === 'up' && statuses ? viewsAheadOf(statuses, await services.eventStore.headPosition()) : [];
        const catchingUp = (await viewsCatchingUp(statuses)) ?? [];
        const views = viewsAheadOfLog.length > 0 ? ('ahead_of_log' as const) : catchingUp.length > 0 ? ('catching_up' as const) : ('consistent' as const);
        // The followers' states are kept in the read store: with it down, they are not known.
        const troubled = readStore === 'up' ? await services.followers.troubled().catch(() => null) : null;
        const followersNotRunning = (troubled ?? []).map(({ name, state, lastError, failure }) => ({ name, state, error: failure?.error ?? lastError?.message ?? null }));
        const followers = troubled === null ? ('unknown' as const) : followersNotRunning.length === 0 ? ('running' as const) : ('not_running' as const);
        const ready = eventStore === 'up' && readStore === 'up' && keyStore === 'up' && views === 'consistent' && followers === 'running';
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'not_ready',
          checks: { eventStore, readStore, keyStore, views, followers },
          viewsAheadOfLog,
          viewsCatchingUp: catchingUp,
          followersNotRunning,
          ...(Object.keys(problems).length > 0 ? { problems } : {}),
        });
      },
    );

    app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: true } }, async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.metrics()),
    );
  };

/** Views and followers, for the operators (admin). */
export const operationRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/admin/projections',
      {
        config: { allow: PERMISSIONS.operate },
        schema: {
          tags: ['operations'],
          summary: 'Each projection, the generation serving reads and any rebuild under way, and every follower with its state',
          description:
            '`aheadOfLog` is true for a view that has applied a position beyond the log\'s `head`: the log lost its end, and the view shows events it no longer holds. ' +
            'Each generation, and each entry of `followers` (views, reactors, the deadline watcher, the anchor schedule), has a `state`: running, retrying (restarting from its checkpoint after an error, with a growing pause), failed (stopped on an event that failed the same way every time: `failure` names its position, id, stream, type and error) or stopped.',
        },
      },
      async () => {
        const statuses = await services.projections.status();
        const head = await services.eventStore.headPosition();
        const ahead = viewsAheadOf(statuses, head);
        return { head, projections: statuses.map((status) => ({ ...status, aheadOfLog: ahead.includes(status.name) })), followers: await services.followers.status() };
      },
    );

    app.post(
      '/admin/projections/:name/rebuild',
      {
        config: { allow: PERMISSIONS.operate },
        schema: {
          tags: ['operations'],
          summary: 'Rebuild a view from zero into new collections; reads switch over when it has caught up',
          params: ProjectionName,
          response: { 202: z.object({ projection: z.string(), building: z.object({ version: z.number().int(), generation: z.number().int() }) }) },
        },
      },
      async (request, reply) => {
        const known = (await services.projections.status()).some((s) => s.name === request.params.name);
        if (!known) throw new HttpProblem(404, 'not-found', 'Projection not found', `There is no projection named ${request.params.name}`);
        const generation = await services.projections.rebuild(request.params.name);
        return reply.code(202).send({ projection: request.params.name, building: generation });
      },
    );

    app.post(
      '/admin/projections/:name/retry',
      {
        config: { allow: PERMISSIONS.operate },
        schema: {
          tags: ['operations'],
          summary: 'Ask a failed or retrying follower to try again now, after fixing what failed',
          description:
            'name is a view (`pipeline`, or `projection:pipeline`) or another follower as /admin/projections lists it (`reactor:lead-conversion`, `reactor:compliance-checks`, `reactor:complaint-follow-ups`, `deadline-watcher`, `anchor-schedule`). It resumes from its checkpoint; an event that still fails the same way fails it again. Answers the follower\'s state after the request.',
          params: z.object({ name: z.string().regex(/^[a-z][a-z0-9_:-]{0,80}$/) }).strict(),
          response: { 202: z.object({ name: z.string(), followers: z.array(z.object({ name: z.string(), state: z.string() })) }) },
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        if (!(await services.followers.retry(name))) throw new HttpProblem(404, 'not-found', 'Follower not found', `There is no follower or projection named ${name}`);
        const bare = name.startsWith('projection:') ? name : `projection:${name}`;
        const states = (await services.followers.status()).filter((f) => f.name === name || f.name === bare || f.name === `${bare}:rebuild`);
        return reply.code(202).send({ name, followers: states.map(({ name: follower, state }) => ({ name: follower, state })) });
      },
    );
  };
