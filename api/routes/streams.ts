import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import { verifyChain } from '../../application/eventIntegrity.js';
import { PERMISSIONS } from '../../application/roles.js';
import { ChainBreakOut } from '../schemas.js';
import type { ApiServices } from '../services.js';

const StreamParams = z.object({ streamId: z.string().regex(/^[a-z][a-z_]*-[A-Za-z0-9._:-]{1,128}$/, 'a stream id such as opportunity-<uuid>') }).strict();

export const RecordedEventOut = z.object({
  streamId: z.string(),
  revision: z.number(),
  position: z.number(),
  eventId: z.string(),
  type: z.string(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
});

export const streamRoutes =
  ({ eventStore }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/streams/:streamId',
      {
        config: { allow: PERMISSIONS.audit },
        schema: {
          tags: ['audit'],
          summary: "A stream's events with their metadata, in order",
          params: StreamParams,
          querystring: z
            .object({
              fromRevision: z.coerce.number().int().min(0).default(0),
              limit: z.coerce.number().int().min(1).max(1000).default(200),
            })
            .strict(),
          response: { 200: z.object({ streamId: z.string(), events: z.array(RecordedEventOut), nextRevision: z.number().nullable() }) },
        },
      },
      async (request) => {
        const { streamId } = request.params;
        const { fromRevision, limit } = request.query;
        const events = await eventStore.readStream(streamId, { fromRevision, maxCount: limit + 1 });
        if (events.length === 0 && fromRevision === 0) throw new NotFound('Stream', streamId);
        const page = events.slice(0, limit);
        return { streamId, events: page, nextRevision: events.length > limit ? page.at(-1)!.revision + 1 : null };
      },
    );

    app.get(
      '/streams/:streamId/verify',
      {
        config: { allow: PERMISSIONS.audit },
        schema: {
          tags: ['audit'],
          summary: "Recompute a stream's hash chain and say where, if anywhere, it breaks",
          description:
            'Answers `intact: true` with the number of events and the hash of the last, or `intact: false` with where the chain first breaks (`hash_mismatch`: the event was altered; `prev_hash_mismatch`: an event before it was removed or replaced; `revision_gap`: revisions are missing).',
          params: StreamParams,
          response: {
            200: z.object({ streamId: z.string(), intact: z.boolean(), events: z.number(), lastHash: z.string().optional(), breaksAt: ChainBreakOut.optional() }),
          },
        },
      },
      async (request) => {
        const { streamId } = request.params;
        const events = await eventStore.readStream(streamId);
        if (events.length === 0) throw new NotFound('Stream', streamId);
        return { streamId, ...verifyChain(events) };
      },
    );
  };
