import type { FastifyInstance } from 'fastify';
import { registerMetrics } from './metrics.js';
import { healthRoutes, type HealthServices } from './routes/operations.js';
import { createServer } from './server.js';
import type { ApiServices } from './services.js';

/**
 * What a worker process serves: liveness, readiness (its stores answer and the followers it holds
 * are at work) and metrics, for the orchestrator and the monitor. Commands and views are the API's.
 */
export const buildWorkerServer = async (services: HealthServices & Pick<ApiServices, 'logger' | 'http'>): Promise<FastifyInstance> => {
  const app = createServer(services);
  const metrics = registerMetrics(app, services);
  await app.register(healthRoutes(services, metrics));
  return app;
};
