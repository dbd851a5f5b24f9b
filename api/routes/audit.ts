import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerHistory } from '../../application/audit/customerHistory.js';
import { verifyCustomer } from '../../application/audit/customerVerification.js';
import { recheckPromise } from '../../application/audit/promiseRecheck.js';
import { ClaimExplanation } from '../../domain/compliance/claimDetector.js';
import { PERMISSIONS } from '../../application/roles.js';
import { CUSTOMER_STREAMS, tiedStreamsOf } from '../../projections/customerStreams/customerStreamsProjection.js';
import { awaitPosition } from '../readYourWrites.js';
import { AfterPosition, ChainBreakOut, IdParams, Instant, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const HistoryEntryOut = z.object({
  position: z.number(),
  streamId: z.string(),
  revision: z.number(),
  eventId: z.string(),
  type: z.string(),
  occurredAt: z.string(),
  actor: z.object({ id: z.string(), role: z.string() }).nullable(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  state: z.unknown(),
});

const TIED_STREAMS_NOTE =
  'The streams tied to a customer are found through the customer_streams view, which follows the log: after a write, pass its position as `after` (or `X-After-Position`) to wait until the view has it.';

export const auditRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { eventStore, views, clock } = services;

    app.get(
      '/audit/customers/:id/history',
      {
        config: { allow: PERMISSIONS.audit },
        schema: {
          tags: ['audit'],
          summary: "Replay a customer's dealings as they stood at a moment",
          description: [
            'Every event of every stream tied to the customer (its own, and each opportunity, lead, quote, promise or order that named it), in log order, up to `asOf` (an ISO-8601 time; omitted means now).',
            'Each event comes with the state its aggregate had right after it; `aggregates` holds every aggregate as it stood at `asOf`.',
            'Personal data (contact names, phone numbers, e-mail addresses) stays sealed, exactly as stored: auditors do not read personal data, and the stored bytes let their own tools recompute every hash.',
            TIED_STREAMS_NOTE,
          ].join('\n\n'),
          params: IdParams,
          querystring: z.object({ asOf: Instant.optional(), after: AfterPosition }).strict(),
          response: {
            200: z.object({
              customerId: z.string(),
              asOf: z.string(),
              streams: z.array(z.string()),
              events: z.array(HistoryEntryOut),
              aggregates: z.record(z.string(), z.unknown()),
            }),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const { asOf, after } = request.query;
        await awaitPosition(services, request, [CUSTOMER_STREAMS], after);
        return customerHistory(eventStore, id, await tiedStreamsOf(views, id), asOf ?? clock.now());
      },
    );

    app.get(
      '/audit/customers/:id/verify',
      {
        config: { allow: PERMISSIONS.audit },
        schema: {
          tags: ['audit'],
          summary: 'Recompute the hash chain of every stream tied to a customer',
          description: [
            'Answers `intact: true` with the number of streams and events checked, or `intact: false` with the first broken stream and where its chain breaks (`hash_mismatch`: the event was altered; `prev_hash_mismatch`: an event before it was removed or replaced; `revision_gap`: revisions are missing).',
            TIED_STREAMS_NOTE,
          ].join('\n\n'),
          params: IdParams,
          querystring: z.object({ after: AfterPosition }).strict(),
          response: {
            200: z.object({
              customerId: z.string(),
              intact: z.boolean(),
              streams: z.number(),
              events: z.number(),
              brokenStream: z.string().optional(),
              breaksAt: ChainBreakOut.optional(),
              broken: z.array(z.object({ streamId: z.string(), breaksAt: ChainBreakOut })).optional(),
            }),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        await awaitPosition(services, request, [CUSTOMER_STREAMS], request.query.after);
        return verifyCustomer(eventStore, id, await tiedStreamsOf(views, id));
      },
    );

    app.post(
      '/audit/recheck',
      {
        config: { allow: PERMISSIONS.audit, problems: [404] },
        schema: {
          tags: ['audit'],
          summary: 'Judge a past promise again under any policy revision (what-if); appends nothing',
          description:
            "Runs the compliance rules of `policyRevision` over the promise as it was recorded, against the product and the seller's certifications as they stood at that moment, so only the policy differs. `recordedUnder` is the revision the promise was recorded under, when known. 404 for an unknown promise or revision.",
          body: z.object({ promiseId: Uuid, policyRevision: z.number().int().positive() }).strict(),
          response: {
            200: z.object({
              promiseId: z.string(),
              policyRevision: z.number(),
              recordedUnder: z.number().nullable(),
              factsAsOf: z.string(),
              violations: z.array(
                z.object({
                  rule: z.object({ id: z.string(), name: z.string() }),
                  severity: z.string(),
                  action: z.string(),
                  detail: z.string(),
                  policyRevision: z.number(),
                  claims: z.array(ClaimExplanation).optional(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => recheckPromise(eventStore, request.body.promiseId, request.body.policyRevision),
    );
  };
