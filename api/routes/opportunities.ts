import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { NotFound } from '../../application/errors.js';
import { PERMISSIONS } from '../../application/roles.js';
import { customerStreamId } from '../../domain/customer/customer.js';
import { opportunityDecider, opportunityStreamId, Stage, type OpportunityCommand } from '../../domain/opportunity/opportunity.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { MoneyInput, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

export const opportunityRoutes =
  ({ pipeline, eventStore }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const act = (id: string, command: OpportunityCommand, envelope: CommandEnvelope) =>
      pipeline.handle({
        streamId: opportunityStreamId(id),
        aggregate: 'Opportunity',
        aggregateId: id,
        decider: opportunityDecider,
        command,
        expects: 'existing',
        envelope,
        metadata: (state) => (state.status === 'none' ? {} : { customerId: state.customerId }),
      });

    app.post(
      '/opportunities',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: 'Open an opportunity for a registered customer',
          body: z
            .object({ id: Uuid.optional(), customerId: Uuid, title: ShortText(200), ownerId: ShortText(200), amount: MoneyInput })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const opportunityId = newStreamId(request, request.body.id);
        const { customerId, title, ownerId, amount } = request.body;
        const result = await pipeline.handle({
          streamId: opportunityStreamId(opportunityId),
          aggregate: 'Opportunity',
          aggregateId: opportunityId,
          decider: opportunityDecider,
          command: { type: 'OpenOpportunity', opportunityId, customerId, title, ownerId, amount },
          expects: 'new',
          envelope: commandEnvelope(request),
          context: async (_state, base) => {
            const customer = await eventStore.readStream(customerStreamId(customerId), { maxCount: 1 });
            if (customer.length === 0) throw new NotFound('Customer', customerId);
            return base;
          },
          metadata: () => ({ customerId }),
        });
        return sendCommandResult(reply, opportunityId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['opportunities'], act });

    action('/opportunities/:id/stage', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Move an opportunity to another stage (back only with a reason)',
      body: z.object({ stage: Stage, reason: Reason.optional() }).strict(),
      command: ({ stage, reason }) => ({ type: 'ChangeStage', stage, ...(reason ? { reason } : {}) }),
    });

    action('/opportunities/:id/win', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Mark an opportunity won',
      body: z.object({ reason: Reason.optional() }).strict().default({}),
      command: ({ reason }) => ({ type: 'WinOpportunity', ...(reason ? { reason } : {}) }),
    });

    action('/opportunities/:id/lose', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Mark an opportunity lost, with the reason',
      body: z.object({ reason: Reason }).strict(),
      command: ({ reason }) => ({ type: 'LoseOpportunity', reason }),
    });

    action('/opportunities/:id/needs', {
      config: { allow: PERMISSIONS.sell },
      summary: "Record the customer's needs and the solution proposed for them",
      body: z.object({ needs: z.array(ShortText(500)).max(50), proposedSolution: ShortText(4000).optional() }).strict(),
      command: (body) => ({ type: 'RecordNeeds', ...body }),
    });

    action('/opportunities/:id/reassign', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Hand the deal to another owner (sales manager only)',
      body: z.object({ ownerId: ShortText(200), reason: Reason.optional() }).strict(),
      command: (body) => ({ type: 'ReassignOwner', ...body }),
    });

    action('/opportunities/:id/source', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Attribute the deal to the campaign and/or partner that brought it',
      body: z.object({ campaignId: ShortText(128).optional(), partnerId: ShortText(128).optional() }).strict(),
      command: (body) => ({ type: 'LinkSource', ...body }),
    });
  };
