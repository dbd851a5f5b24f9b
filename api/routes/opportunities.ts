import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { FeedbackSentiment, Stage } from '../../domain/opportunity/opportunity.js';
import { NonNegativeMoney } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

export const opportunityRoutes =
  ({ commands: { opportunities } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/opportunities',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['opportunities'],
          summary: 'Open an opportunity for a registered customer',
          body: z
            .object({ id: Uuid.optional(), customerId: Uuid, title: ShortText(200), ownerId: ShortText(200), amount: NonNegativeMoney })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const opportunityId = newStreamId(request, request.body.id);
        const { customerId, title, ownerId, amount } = request.body;
        const result = await opportunities.open({ opportunityId, customerId, title, ownerId, amount }, commandEnvelope(request));
        return sendCommandResult(reply, opportunityId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['opportunities'] });

    action('/opportunities/:id/stage', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Move an opportunity to another stage (back only with a reason)',
      body: z.object({ stage: Stage, reason: Reason.optional() }).strict(),
      handle: (id, { stage, reason }, envelope) => opportunities.changeStage(id, { stage, ...(reason ? { reason } : {}) }, envelope),
    });

    action('/opportunities/:id/win', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Mark an opportunity won',
      body: z.object({ reason: Reason.optional() }).strict().default({}),
      handle: (id, { reason }, envelope) => opportunities.win(id, reason ? { reason } : {}, envelope),
    });

    action('/opportunities/:id/lose', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Mark an opportunity lost, with the reason',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, loss, envelope) => opportunities.lose(id, loss, envelope),
    });

    action('/opportunities/:id/needs', {
      config: { allow: PERMISSIONS.sell },
      summary: "Record the customer's needs and the solution proposed for them",
      body: z.object({ needs: z.array(ShortText(500)).max(50), proposedSolution: ShortText(4000).optional() }).strict(),
      handle: (id, needs, envelope) => opportunities.recordNeeds(id, needs, envelope),
    });

    action('/opportunities/:id/reassign', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Hand the deal to another owner (sales manager only)',
      body: z.object({ ownerId: ShortText(200), reason: Reason.optional() }).strict(),
      handle: (id, reassignment, envelope) => opportunities.reassign(id, reassignment, envelope),
    });

    action('/opportunities/:id/source', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Attribute the deal to the campaign and/or partner that brought it',
      body: z.object({ campaignId: ShortText(128).optional(), partnerId: ShortText(128).optional() }).strict(),
      handle: (id, source, envelope) => opportunities.linkSource(id, source, envelope),
    });

    action('/opportunities/:id/registration', {
      config: { allow: PERMISSIONS.sell },
      summary: "Work the deal under a partner's approved deal registration, which credits the partner",
      description: "The registration must be approved and unexpired (OPP-13), for the deal's customer when it named one (OPP-14), and the deal linked to no other (OPP-15). 404 for an unknown registration.",
      body: z.object({ registrationId: Uuid }).strict(),
      handle: (id, link, envelope) => opportunities.linkRegistration(id, link, envelope),
    });

    action('/opportunities/:id/feedback', {
      config: { allow: PERMISSIONS.sell },
      summary: "Record the customer's feedback on the proposal, in their words, and how they took it",
      body: z.object({ feedback: ShortText(4000), sentiment: FeedbackSentiment }).strict(),
      handle: (id, feedback, envelope) => opportunities.recordFeedback(id, feedback, envelope),
    });
  };
