import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { newId } from '../../application/ids.js';
import { PERMISSIONS } from '../../application/roles.js';
import { customerDecider, customerStreamId, CustomerTier, InteractionKind, type CustomerCommand } from '../../domain/customer/customer.js';
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
        const result = await act(id, { type: 'RecordInteraction', interactionId: newId(), kind, note, ...(needs ? { needs } : {}) }, commandEnvelope(request));
        return sendCommandResult(reply, id, result, 201);
      },
    );

    app.post(
      '/customers/:id/profile',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['customers'],
          summary: "Change the customer's name, industry, region or tier; only the fields given",
          params: IdParams,
          body: z.object({ name: ShortText(200).optional(), industry: ShortText(100).optional(), region: ShortText(100).optional(), tier: CustomerTier.optional() }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const result = await act(id, { type: 'UpdateProfile', ...request.body }, commandEnvelope(request));
        return sendCommandResult(reply, id, result, 200);
      },
    );

    app.post(
      '/customers/:id/contacts',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['customers'],
          summary: 'Add a contact person; name, phone and e-mail are sealed with the customer key',
          params: IdParams,
          body: ContactInput.extend({ id: Uuid.optional() }).strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { id: contactId = newId(), ...contact } = request.body;
        const result = await act(id, { type: 'AddContact', contactId, ...contact }, commandEnvelope(request));
        return sendCommandResult(reply, id, result, 201);
      },
    );

    app.post(
      '/customers/:id/credit-limit',
      {
        config: { allow: PERMISSIONS.account },
        schema: {
          tags: ['customers'],
          summary: 'Set the credit limit (finance only)',
          params: IdParams,
          body: z.object({ limit: MoneyInput }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const result = await act(id, { type: 'SetCreditLimit', limit: request.body.limit }, commandEnvelope(request));
        return sendCommandResult(reply, id, result, 200);
      },
    );

    app.post(
      '/customers/:id/risk',
      {
        config: { allow: PERMISSIONS.account },
        schema: {
          tags: ['customers'],
          summary: 'Raise the risk flag, or clear it (finance only), with the reason',
          params: IdParams,
          body: z.object({ flagged: z.boolean(), reason: Reason }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { flagged, reason } = request.body;
        const result = await act(id, { type: 'FlagRisk', flagged, reason }, commandEnvelope(request));
        return sendCommandResult(reply, id, result, 200);
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
        const result = await act(id, { type: 'ErasePersonalData', reason: request.body.reason }, commandEnvelope(request));
        // After the event: a crash between the two leaves a recorded erasure to finish, never an unrecorded one.
        await keyStore.destroy(id);
        return sendCommandResult(reply, id, result, 200);
      },
    );
  };
