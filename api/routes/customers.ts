import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { newId } from '../../application/ids.js';
import { PERMISSIONS } from '../../application/roles.js';
import { customerDecider, customerStreamId, CustomerTier, InteractionKind, type CustomerCommand } from '../../domain/customer/customer.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { IdParams, MoneyInput, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** A customer's or a lead's contact; name, phone and e-mail are personal data, sealed before they are stored. */
export const ContactInput = z
  .object({
    name: ShortText(200),
    phone: z.string().trim().regex(/^\+?[0-9][0-9 ()./-]{2,31}$/, 'a phone number: digits, spaces and ( ) . / -, optionally led by +').optional(),
    email: z.email().max(254).optional(),
    title: ShortText(200).optional(),
  })
  .strict();

export const customerRoutes =
  ({ pipeline, keyStore }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const act = (id: string, command: CustomerCommand, envelope: CommandEnvelope) =>
      pipeline.handle({
        streamId: customerStreamId(id),
        aggregate: 'Customer',
        aggregateId: id,
        decider: customerDecider,
        command,
        expects: 'existing',
        envelope,
        dataSubject: id,
        metadata: () => ({ customerId: id }),
      });

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

    const action = actionRoutes(app, { tags: ['customers'], act });

    action('/customers/:id/interactions', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Record a visit, call, e-mail or demo with a note',
      body: z
        .object({
          kind: InteractionKind,
          note: ShortText(4000),
          needs: z.array(ShortText(500)).max(20).optional(),
        })
        .strict(),
      status: 201,
      command: ({ kind, note, needs }) => ({ type: 'RecordInteraction', interactionId: newId(), kind, note, ...(needs ? { needs } : {}) }),
    });

    action('/customers/:id/profile', {
      config: { allow: PERMISSIONS.sell },
      summary: "Change the customer's name, industry, region or tier; only the fields given",
      body: z.object({ name: ShortText(200).optional(), industry: ShortText(100).optional(), region: ShortText(100).optional(), tier: CustomerTier.optional() }).strict(),
      command: (body) => ({ type: 'UpdateProfile', ...body }),
    });

    action('/customers/:id/contacts', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Add a contact person; name, phone and e-mail are sealed with the customer key',
      body: ContactInput.extend({ id: Uuid.optional() }).strict(),
      status: 201,
      command: ({ id: contactId = newId(), ...contact }) => ({ type: 'AddContact', contactId, ...contact }),
    });

    action('/customers/:id/credit-limit', {
      config: { allow: PERMISSIONS.account },
      summary: 'Set the credit limit (finance only)',
      body: z.object({ limit: MoneyInput }).strict(),
      command: ({ limit }) => ({ type: 'SetCreditLimit', limit }),
    });

    action('/customers/:id/risk', {
      config: { allow: PERMISSIONS.account },
      summary: 'Raise the risk flag, or clear it (finance only), with the reason',
      body: z.object({ flagged: z.boolean(), reason: Reason }).strict(),
      command: ({ flagged, reason }) => ({ type: 'FlagRisk', flagged, reason }),
    });

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
        const result = await act(id, { type: 'ErasePersonalData', reason: request.body.reason }, commandEnvelope(request));
        // After the event: a crash between the two leaves a recorded erasure to finish, never an unrecorded one.
        await keyStore.destroy(id);
        return sendCommandResult(reply, id, result, 200);
      },
    );
  };
