import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { newId } from '../application/ids.js';
import { apiDescription } from './apiDescription.js';
import { registerAuthentication } from './auth.js';
import { consoleRoutes } from './console.js';
import { registerMetrics } from './metrics.js';
import { sendProblem, toProblem } from './problems.js';
import { registerRateLimit } from './rateLimit.js';
import { registerRosterGate } from './rosterGate.js';
import { anchorRoutes } from './routes/anchors.js';
import { attainmentRoutes } from './routes/attainment.js';
import { claimRoutes } from './routes/claims.js';
import { auditRoutes } from './routes/audit.js';
import { campaignRoutes } from './routes/campaigns.js';
import { catalogRoutes } from './routes/catalog.js';
import { complaintRoutes } from './routes/complaints.js';
import { complaintViewRoutes } from './routes/complaintViews.js';
import { customerRoutes } from './routes/customers.js';
import { customerViewRoutes } from './routes/customerViews.js';
import { dealViewRoutes } from './routes/dealViews.js';
import { exportRoutes } from './routes/exports.js';
import { findingRoutes } from './routes/findings.js';
import { fxRateRoutes } from './routes/fxRates.js';
import { incentivePlanRoutes } from './routes/incentivePlans.js';
import { incentiveRoutes } from './routes/incentives.js';
import { kpiRoutes } from './routes/kpis.js';
import { healthRoutes, operationRoutes } from './routes/operations.js';
import { leadRoutes } from './routes/leads.js';
import { meRoutes } from './routes/me.js';
import { opportunityViewRoutes } from './routes/opportunityViews.js';
import { opportunityRoutes } from './routes/opportunities.js';
import { orderRoutes } from './routes/orders.js';
import { partnerRoutes } from './routes/partners.js';
import { paymentRoutes } from './routes/payments.js';
import { policyRoutes } from './routes/policy.js';
import { promiseRoutes } from './routes/promises.js';
import { quoteRoutes } from './routes/quotes.js';
import { repRoutes } from './routes/reps.js';
import { streamRoutes } from './routes/streams.js';
import { targetRoutes } from './routes/targets.js';
import { viewRoutes } from './routes/views.js';
import type { ApiServices } from './services.js';
import { registerWellFormedInput } from './wellFormedInput.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify as every process of this system serves it: request ids, time limits, zod, and every error a problem document. */
export const createServer = (services: Pick<ApiServices, 'logger' | 'http'>) => {
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    // A caller's request id is kept when it is sane, so traces line up across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    requestIdHeader: false,
    bodyLimit: 256 * 1024,
    return503OnClosing: true,
    requestTimeout: services.http.requestTimeoutMs,
    connectionTimeout: services.http.connectionTimeoutMs,
    // Errors the router raises before any route (a bad percent-escape, an over-long parameter) are problems like any other.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, request, toProblem(error));
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ problem: problem.kind, detail: problem.message }, 'request refused');
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, toProblem(Object.assign(new Error(`No route for ${request.method} ${request.url}`), { statusCode: 404 }))),
  );
  return app;
};

export const buildServer = async (services: ApiServices): Promise<FastifyInstance> => {
  const app = createServer(services);

  await app.register(swagger, apiDescription({ rateLimited: services.http.rateLimitPerMinute > 0 }));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (services.http.rateLimitPerMinute > 0) await registerRateLimit(app, services.http.rateLimitPerMinute);
  registerWellFormedInput(app);
  registerAuthentication(app, services.apiKeys);
  registerRosterGate(app, services.eventStore);
  const metrics = registerMetrics(app, services);

  await app.register(healthRoutes(services, metrics));
  await app.register(operationRoutes(services));
  await app.register(customerRoutes(services));
  await app.register(opportunityRoutes(services));
  await app.register(catalogRoutes(services));
  await app.register(leadRoutes(services));
  await app.register(quoteRoutes(services));
  await app.register(promiseRoutes(services));
  await app.register(orderRoutes(services));
  await app.register(policyRoutes(services));
  await app.register(repRoutes(services));
  await app.register(viewRoutes(services));
  await app.register(customerViewRoutes(services));
  await app.register(dealViewRoutes(services));
  await app.register(findingRoutes(services));
  await app.register(streamRoutes(services));
  await app.register(auditRoutes(services));
  await app.register(anchorRoutes(services));
  await app.register(claimRoutes(services));
  await app.register(complaintRoutes(services));
  await app.register(complaintViewRoutes(services));
  await app.register(targetRoutes(services));
  await app.register(paymentRoutes(services));
  await app.register(fxRateRoutes(services));
  await app.register(incentivePlanRoutes(services));
  await app.register(incentiveRoutes(services));
  await app.register(attainmentRoutes(services));
  await app.register(meRoutes());
  await app.register(opportunityViewRoutes(services));
  await app.register(consoleRoutes());
  await app.register(campaignRoutes(services));
  await app.register(partnerRoutes(services));
  await app.register(kpiRoutes(services));
  await app.register(exportRoutes(services));
  return app;
};
