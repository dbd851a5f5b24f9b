import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import { PERMISSIONS } from '../../application/roles.js';
import { OPPORTUNITIES, PIPELINE, type OpportunityView } from '../../projections/pipeline/pipelineProjection.js';
import { awaitPosition } from '../readYourWrites.js';
import { ownerFilter } from '../sellerScope.js';
import { IdParams, PageQuery } from '../schemas.js';
import type { ApiServices } from '../services.js';
import { RecordedEventOut } from './streams.js';
import { OpportunityItem } from './views.js';

/** One deal as the people who manage it see it: the view's row and what happened to it, event by event. */
export const opportunityViewRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/views/opportunities/:id',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'One opportunity as the pipeline view has it, open or closed, with the events of its stream in order',
          description:
            "A sales rep sees their own deals, a sales manager their team's (another seller's is 403); other roles see every seller's. The events are the stream's as stored, with their metadata (actor, time, hashes).",
          params: IdParams,
          querystring: z.object({ after: PageQuery.after }).strict(),
          response: { 200: z.object({ opportunity: OpportunityItem, events: z.array(RecordedEventOut) }) },
        },
      },
      async (request) => {
        const { id } = request.params;
        await awaitPosition(services, request, [PIPELINE], request.query.after);
        const opportunity = (await services.views.get(PIPELINE, OPPORTUNITIES, id)) as OpportunityView | null;
        if (!opportunity) throw new NotFound('Opportunity', id);
        await ownerFilter(services, request, opportunity.ownerId);
        return { opportunity: opportunity as z.infer<typeof OpportunityItem>, events: await services.eventStore.readStream(`opportunity-${id}`) };
      },
    );
  };
