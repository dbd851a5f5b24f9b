import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newId } from '../../application/ids.js';
import { PERMISSIONS } from '../../application/roles.js';
import { CustomerTier, InteractionKind } from '../../domain/customer/customer.js';
import { NonNegativeMoney } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { Reason, ShortText, Uuid } from '../schemas.js';
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
  ({ commands: { customers } }: ApiServices): FastifyPluginAsyncZod =>
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
        const result = await customers.register({ customerId, name, industry, region }, commandEnvelope(request));
        return sendCommandResult(reply, customerId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['customers'] });

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
      handle: (id, { kind, note, needs }, envelope) => customers.recordInteraction(id, { interactionId: newId(), kind, note, ...(needs ? { needs } : {}) }, envelope),
    });

    action('/customers/:id/profile', {
      config: { allow: PERMISSIONS.sell },
      summary: "Change the customer's name, industry, region or tier; only the fields given",
      body: z.object({ name: ShortText(200).optional(), industry: ShortText(100).optional(), region: ShortText(100).optional(), tier: CustomerTier.optional() }).strict(),
      handle: (id, profile, envelope) => customers.updateProfile(id, profile, envelope),
    });

    action('/customers/:id/contacts', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Add a contact person; name, phone and e-mail are sealed with the customer key',
      body: ContactInput.extend({ id: Uuid.optional() }).strict(),
      status: 201,
      handle: (id, { id: contactId = newId(), ...contact }, envelope) => customers.addContact(id, { contactId, ...contact }, envelope),
    });

    action('/customers/:id/credit-limit', {
      config: { allow: PERMISSIONS.account },
      summary: 'Set the credit limit (finance only)',
      body: z.object({ limit: NonNegativeMoney }).strict(),
      handle: (id, terms, envelope) => customers.setCreditLimit(id, terms, envelope),
    });

    action('/customers/:id/risk', {
      config: { allow: PERMISSIONS.account },
      summary: 'Raise the risk flag, or clear it (finance only), with the reason',
      body: z.object({ flagged: z.boolean(), reason: Reason }).strict(),
      handle: (id, flag, envelope) => customers.flagRisk(id, flag, envelope),
    });

    action('/customers/:id/erase', {
      config: { allow: ['compliance_officer', 'admin'] },
      summary: "Erase the customer's personal data: the log stays whole, the data becomes unreadable",
      description:
        "Records the erasure, then destroys the keys that sealed the personal data: the customer's own (every contact name, phone and e-mail) and that of each lead converted into it, found through the customer_streams view once it has applied the whole log (503 view-behind, nothing erased, while it lags). Views show [erased]. A second erasure is refused (422, CUS-12).",
      body: z.object({ reason: Reason }).strict(),
      handle: (id, erasure, envelope) => customers.erase(id, erasure, envelope),
    });
  };
