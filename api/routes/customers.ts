import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newId } from '../../application/ids.js';
import { PERMISSIONS } from '../../application/roles.js';
import { customerDecider, customerStreamId, InteractionKind } from '../../domain/customer/customer.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { IdParams, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

export const customerRoutes =
  ({ pipeline, keyStore }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/customers',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['customers'],
          summary: 'Register a customer',
          body: z.object({ id: Uuid.optional(), name: ShortText(200), industry: ShortText(100), region: ShortText(100) }).strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const customerId = newStreamId(request, request.body.id);
        const { name, industry, region } = request.body;
        const result = await pipeline.handle({
          streamId: customerStreamId(customerId),
          aggregate: 'Customer',
          aggregateId: customerId,
          decider: customerDecider,
          command: { type: 'RegisterCustomer', customerId, name, industry, region },
          expects: 'new',
          envelope: commandEnvelope(request),
          metadata: () => ({ customerId }),
        });
        return sendCommandResult(reply, customerId, result, 201);
      },
    );

    app.post(
      '/customers/:id/interactions',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['customers'],
          summary: 'Record a visit, call, e-mail or demo with a note',
          params: IdParams,
          body: z
            .object({
              kind: InteractionKind,
              note: ShortText(4000),
              needs: z.array(ShortText(500)).max(20).optional(),
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { kind, note, needs } = request.body;
        const result = await pipeline.handle({
          streamId: customerStreamId(id),
          aggregate: 'Customer',
          aggregateId: id,
          decider: customerDecider,
          command: { type: 'RecordInteraction', interactionId: newId(), kind, note, ...(needs ? { needs } : {}) },
          expects: 'existing',
          envelope: commandEnvelope(request),
          metadata: () => ({ customerId: id }),
        });
        return sendCommandResult(reply, id, result, 201);
      },
    );

    app.post(
      '/customers/:id/erase',
      {
        config: { allow: ['compliance_officer', 'admin'] },
        schema: {
          tags: ['customers'],
          summary: "Erase the customer's personal data: the log stays whole, the data becomes unreadable",
          description: 'Records the erasure, then destroys the customer key that sealed every contact name, phone and e-mail. Views show [erased].',
          params: IdParams,
          body: z.object({ reason: Reason }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const result = await pipeline.handle({
          streamId: customerStreamId(id),
          aggregate: 'Customer',
          aggregateId: id,
          decider: customerDecider,
          command: { type: 'ErasePersonalData', reason: request.body.reason },
          expects: 'existing',
          envelope: commandEnvelope(request),
          metadata: () => ({ customerId: id }),
        });
        // After the event: a crash between the two leaves a recorded erasure to finish, never an unrecorded one.
        await keyStore.destroy(id);
        return sendCommandResult(reply, id, result, 200);
      },
    );
  };
