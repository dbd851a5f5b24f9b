import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FollowerState } from '../application/followers/supervisor.js';
import type { HealthServices } from './routes/operations.js';

const FOLLOWER_STATES: readonly FollowerState[] = ['starting', 'running', 'retrying', 'failed', 'stopped', 'unheld'];

/** Prometheus metrics: request rates and latencies, command outcomes, projection lag. */
export const registerMetrics = (app: FastifyInstance, services: HealthServices): Registry => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const commands = new Counter({
    name: 'commands_total',
    help: 'Commands by route and outcome status',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'event_log_head_position',
    help: 'Position of the newest event in the log',
    registers: [registry],
    async collect() {
      this.set((await services.eventStore.headPosition()) ?? 0);
    },
  });
  new Gauge({
    name: 'projection_position',
    help: 'Log position each active projection has applied',
    labelNames: ['projection'],
    registers: [registry],
    async collect() {
      for (const status of await services.projections.status()) this.set({ projection: status.name }, status.active?.position ?? 0);
    },
  });

  new Gauge({
    name: 'follower_state',
    help: 'Each follower of the log (views, reactors, watchers): 1 for the state it is in (running, retrying, failed, stopped, starting)',
    labelNames: ['follower', 'kind', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const follower of await services.followers.status()) {
        for (const state of FOLLOWER_STATES) this.set({ follower: follower.name, kind: follower.kind, state }, follower.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'follower_restarts',
    help: 'Restarts of each follower after an error since the process started',
    labelNames: ['follower'],
    registers: [registry],
    async collect() {
      for (const follower of await services.followers.status()) this.set({ follower: follower.name }, follower.restarts);
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    if (request.method === 'POST') commands.inc({ route, status: reply.statusCode });
  });
  return registry;
};
