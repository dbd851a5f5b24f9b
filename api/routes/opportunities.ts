import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { NotFound } from '../../application/errors.js';
import { PERMISSIONS } from '../../application/roles.js';
import { customerStreamId } from '../../domain/customer/customer.js';
import { opportunityDecider, opportunityStreamId, Stage, type OpportunityCommand } from '../../domain/opportunity/opportunity.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { IdParams, MoneyInput, Reason, ShortText, Uuid } from '../schemas.js';
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

    app.post(
      '/opportunities/:id/stage',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: 'Move an opportunity to another stage (back only with a reason)',
          params: IdParams,
          body: z.object({ stage: Stage, reason: Reason.optional() }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { stage, reason } = request.body;
        const result = await act(request.params.id, { type: 'ChangeStage', stage, ...(reason ? { reason } : {}) }, commandEnvelope(request));
        return sendCommandResult(reply, request.params.id, result, 200);
      },
    );

    app.post(
      '/opportunities/:id/win',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: 'Mark an opportunity won',
          params: IdParams,
          body: z.object({ reason: Reason.optional() }).strict().default({}),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { reason } = request.body;
        const result = await act(request.params.id, { type: 'WinOpportunity', ...(reason ? { reason } : {}) }, commandEnvelope(request));
        return sendCommandResult(reply, request.params.id, result, 200);
      },
    );

    app.post(
      '/opportunities/:id/lose',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: 'Mark an opportunity lost, with the reason',
          params: IdParams,
          body: z.object({ reason: Reason }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const result = await act(request.params.id, { type: 'LoseOpportunity', reason: request.body.reason }, commandEnvelope(request));
        return sendCommandResult(reply, request.params.id, result, 200);
      },
    );

    app.post(
      '/opportunities/:id/needs',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: "Record the customer's needs and the solution proposed for them",
          params: IdParams,
          body: z.object({ needs: z.array(ShortText(500)).max(50), proposedSolution: ShortText(4000).optional() }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const result = await act(request.params.id, { type: 'RecordNeeds', ...request.body }, commandEnvelope(request));
        return sendCommandResult(reply, request.params.id, result, 200);
      },
    );

    app.post(
      '/opportunities/:id/reassign',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: 'Hand the deal to another owner (sales manager only)',
          params: IdParams,
          body: z.object({ ownerId: ShortText(200), reason: Reason.optional() }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const result = await act(request.params.id, { type: 'ReassignOwner', ...request.body }, commandEnvelope(request));
        return sendCommandResult(reply, request.params.id, result, 200);
      },
    );

    app.post(
      '/opportunities/:id/source',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: 'Attribute the deal to the campaign and/or partner that brought it',
          params: IdParams,
          body: z.object({ campaignId: ShortText(128).optional(), partnerId: ShortText(128).optional() }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const result = await act(request.params.id, { type: 'LinkSource', ...request.body }, commandEnvelope(request));
        return sendCommandResult(reply, request.params.id, result, 200);
      },
    );
  };
