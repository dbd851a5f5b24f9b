import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { LeadSource } from '../../domain/lead/lead.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, CommandResponse, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { NonNegativeMoney } from '../../domain/shared/money.js';
import { IdParams, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';
import { ContactInput } from './customers.js';

const ConvertBody = z
  .object({
    customerId: Uuid.optional(),
    customer: z
      .object({ name: ShortText(200).optional(), industry: ShortText(100).optional(), region: ShortText(100).optional() })
      .strict()
      .optional()
      .meta({ description: "Only for a new customer: its name (the lead's company unless given), industry and region (unknown until the profile gives them, unless given)" }),
    opportunity: z.object({ title: ShortText(200), ownerId: ShortText(200), amount: NonNegativeMoney }).strict(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.customerId && body.customer) ctx.addIssue({ code: 'custom', path: ['customer'], message: 'only for a new customer; leave it out with customerId' });
  });

export const leadRoutes =
  ({ commands: { leads } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/leads',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['leads'],
          summary: 'Capture a lead with its source, company, contact and interest',
          description:
            "Campaign and partner leads name their campaign or partner in sourceRef. campaignId names the campaign the lead answered, whatever its source (a partner's lead from a webinar); a campaign lead's is its sourceRef (LEA-13); 404 for a campaign never launched. The contact is sealed with the lead key.",
          body: z
            .object({
              id: Uuid.optional(),
              source: LeadSource,
              sourceRef: ShortText(128).optional(),
              company: ShortText(200),
              contact: ContactInput,
              interest: ShortText(2000),
              campaignId: Uuid.optional(),
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { id, ...lead } = request.body;
        const leadId = newStreamId(request, id);
        const result = await leads.capture({ leadId, ...lead }, commandEnvelope(request));
        return sendCommandResult(reply, leadId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['leads'] });

    action('/leads/:id/qualify', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Qualify a lead, with an optional note',
      body: z.object({ note: ShortText(2000).optional() }).strict().default({}),
      handle: (id, qualification, envelope) => leads.qualify(id, qualification, envelope),
    });

    action('/leads/:id/disqualify', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Disqualify a lead, with the reason; it then takes no further work',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, disqualification, envelope) => leads.disqualify(id, disqualification, envelope),
    });

    app.post(
      '/leads/:id/convert',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['leads'],
          summary: 'Convert a qualified lead into a customer (new or existing) and an opportunity',
          description:
            'Answers once the customer, its contact and the opportunity are in the log. position is the last of those appends, for ?after= on the views. ' +
            'Give customerId for an existing customer; leave it out for a new one, named after the lead company and with its industry and region unknown ("unknown") until the profile gives them, unless customer { name?, industry, region } says them here.',
          params: IdParams,
          body: ConvertBody,
          response: { 200: CommandResponse.extend({ customerId: z.string(), opportunityId: z.string() }) },
        },
      },
      async (request, reply) => {
        const { result, customerId, opportunityId, followUps } = await leads.convert(request.params.id, request.body, commandEnvelope(request));
        // The position to wait for is the last append the conversion made, follow-ups included.
        const position = Math.max(result.position, ...followUps.map((f) => f.position));
        return sendCommandResult(reply, request.params.id, { ...result, position }, 200, { customerId, opportunityId });
      },
    );
  };
