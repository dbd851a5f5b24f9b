import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { PartnerTier } from '../../domain/partner/partner.js';
import { Money } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { Instant, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

export const partnerRoutes =
  ({ commands: { partners, registrations } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/partners',
      {
        config: { allow: PERMISSIONS.onboardPartners },
        schema: {
          tags: ['partners'],
          summary: 'Onboard a channel partner at a tier',
          body: z.object({ id: Uuid.optional(), name: ShortText(200), tier: PartnerTier }).strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { id, ...partner } = request.body;
        const partnerId = newStreamId(request, id);
        const result = await partners.onboard({ partnerId, ...partner }, commandEnvelope(request));
        return sendCommandResult(reply, partnerId, result, 201);
      },
    );

    app.post(
      '/registrations',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['partners'],
          summary: "Register a partner's deal: a customer (an existing one, or a company by name), products, an expected amount and an expiry",
          description:
            'Name customerId or company, not both (REG-02). A registration on a customer and product that another approved, unexpired registration holds is refused (422, REG-06 channel conflict), as is its approval. 404 for an unknown partner, customer or product. It expires at expiresAt through the deadline watcher.',
          body: z
            .object({
              id: Uuid.optional(),
              partnerId: Uuid,
              customerId: Uuid.optional(),
              company: ShortText(200).optional(),
              skus: z.array(ShortText(64)).max(50),
              expectedAmount: Money,
              expiresAt: Instant,
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { id, ...registration } = request.body;
        const registrationId = newStreamId(request, id);
        const result = await registrations.submit({ registrationId, ...registration }, commandEnvelope(request));
        return sendCommandResult(reply, registrationId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['partners'] });
    const Decision = z.object({ reason: Reason.optional() }).strict().default({});

    action('/registrations/:id/approve', {
      config: { allow: PERMISSIONS.decideRegistrations },
      summary: 'Approve a deal registration (a sales manager who did not submit it)',
      description: 'Refused while another approved, unexpired registration holds the customer and a product (REG-06), or once it has expired (REG-09).',
      body: Decision,
      handle: (id, decision, envelope) => registrations.approve(id, decision, envelope),
    });

    action('/registrations/:id/reject', {
      config: { allow: PERMISSIONS.decideRegistrations },
      summary: 'Reject a deal registration (a sales manager who did not submit it)',
      body: Decision,
      handle: (id, decision, envelope) => registrations.reject(id, decision, envelope),
    });
  };
