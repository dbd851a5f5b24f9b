import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { CampaignChannel } from '../../domain/campaign/campaign.js';
import { Money } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { CalendarDay, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

export const campaignRoutes =
  ({ commands: { campaigns } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/campaigns',
      {
        config: { allow: PERMISSIONS.launchCampaigns },
        schema: {
          tags: ['campaigns'],
          summary: 'Launch a marketing campaign with its channel, budget and window',
          description:
            'window is two days of the company calendar, from and to, both included (CPN-03: to not before from). The budget may be zero, not negative (CPN-04). Leads name it with campaignId; deals with POST /opportunities/{id}/source.',
          body: z
            .object({
              id: Uuid.optional(),
              name: ShortText(200),
              channel: CampaignChannel,
              budget: Money,
              window: z.object({ from: CalendarDay, to: CalendarDay }).strict(),
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { id, ...campaign } = request.body;
        const campaignId = newStreamId(request, id);
        const result = await campaigns.launch({ campaignId, ...campaign }, commandEnvelope(request));
        return sendCommandResult(reply, campaignId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['campaigns'] });

    action('/campaigns/:id/costs', {
      config: { allow: PERMISSIONS.recordCampaignCosts },
      summary: 'Record a cost against a campaign',
      description: "More than nothing, in the budget's currency (CPN-06), saying what it paid for (CPN-07). A retry with the same Idempotency-Key records it once.",
      body: z.object({ amount: Money, note: ShortText(2000) }).strict(),
      status: 201,
      handle: (id, cost, envelope) => campaigns.recordCost(id, { costId: envelope.commandId, ...cost }, envelope),
    });
  };
