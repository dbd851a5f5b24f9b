import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { conversionIds, leadDataSubject, LeadConversionReactor } from '../../application/reactors/leadConversion.js';
import { PERMISSIONS } from '../../application/roles.js';
import { leadDecider, LeadSource, leadStreamId, type LeadCommand } from '../../domain/lead/lead.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, CommandResponse, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { IdParams, MoneyInput, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';
import { ContactInput } from './customers.js';

const ConvertBody = z
  .object({
    customerId: Uuid.optional(),
    customer: z.object({ name: ShortText(200).optional(), industry: ShortText(100), region: ShortText(100) }).strict().optional(),
    opportunity: z.object({ title: ShortText(200), ownerId: ShortText(200), amount: MoneyInput }).strict(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (!body.customerId && !body.customer) {
      ctx.addIssue({ code: 'custom', path: ['customer'], message: 'required for a new customer ({ industry, region }); or give the customerId of an existing one' });
    }
    if (body.customerId && body.customer) ctx.addIssue({ code: 'custom', path: ['customer'], message: 'only for a new customer; leave it out with customerId' });
  });

export const leadRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { pipeline, eventStore } = services;
    const reactor = new LeadConversionReactor(services);
    const act = (id: string, command: LeadCommand, envelope: CommandEnvelope) =>
      pipeline.handle({ streamId: leadStreamId(id), aggregate: 'Lead', aggregateId: id, decider: leadDecider, command, expects: 'existing', envelope });

    app.post(
      '/leads',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['leads'],
          summary: 'Capture a lead with its source, company, contact and interest',
          description: 'Campaign and partner leads name their campaign or partner in sourceRef. The contact is sealed with the lead key.',
          body: z
            .object({
              id: Uuid.optional(),
              source: LeadSource,
              sourceRef: ShortText(128).optional(),
              company: ShortText(200),
              contact: ContactInput,
              interest: ShortText(2000),
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { id, ...lead } = request.body;
        const leadId = newStreamId(request, id);
        const result = await pipeline.handle({
          streamId: leadStreamId(leadId),
          aggregate: 'Lead',
          aggregateId: leadId,
          decider: leadDecider,
          command: { type: 'CaptureLead', leadId, ...lead },
          expects: 'new',
          envelope: commandEnvelope(request),
          dataSubject: leadDataSubject(leadId),
        });
        return sendCommandResult(reply, leadId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['leads'], act });

    action('/leads/:id/qualify', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Qualify a lead, with an optional note',
      body: z.object({ note: ShortText(2000).optional() }).strict().default({}),
      command: (body) => ({ type: 'QualifyLead', ...body }),
    });

    action('/leads/:id/disqualify', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Disqualify a lead, with the reason; it then takes no further work',
      body: z.object({ reason: Reason }).strict(),
      command: ({ reason }) => ({ type: 'DisqualifyLead', reason }),
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
            'Give customerId for an existing customer, or customer { industry, region, name? } for a new one (named after the lead company unless given).',
          params: IdParams,
          body: ConvertBody,
          response: { 200: CommandResponse.extend({ customerId: z.string(), opportunityId: z.string() }) },
        },
      },
      async (request, reply) => {
        const leadId = request.params.id;
        const { customerId: existingCustomerId, customer, opportunity } = request.body;
        const ids = conversionIds(leadId, existingCustomerId);
        const result = await pipeline.handle({
          streamId: leadStreamId(leadId),
          aggregate: 'Lead',
          aggregateId: leadId,
          decider: leadDecider,
          command: { type: 'ConvertLead', customerIsNew: existingCustomerId === undefined, ...ids, ...(customer ? { customer } : {}), opportunity },
          expects: 'existing',
          envelope: commandEnvelope(request),
          context: async (lead, base) => {
            // The lead's own rules speak first: a lead that cannot convert is refused for that, not for its follow-ups.
            if (lead.status === 'qualified') await reactor.assertFollowUpsPossible({ leadId, ...ids }, existingCustomerId !== undefined, opportunity, base);
            return base;
          },
          metadata: () => ({ customerId: ids.customerId }),
        });
        const converted = (await eventStore.readStream(leadStreamId(leadId))).find((e) => e.type === 'LeadConverted');
        if (!converted) throw new Error(`Lead ${leadId} answered a conversion but holds no LeadConverted`);
        // Run at once so the new ids are usable on return; the reactor's subscription finishes them after a crash.
        const followUps = await reactor.react(converted);
        if (result.replayed) reply.header('Idempotent-Replayed', 'true');
        return reply
          .code(200)
          .header('ETag', `"${result.revision}"`)
          .send({
            id: leadId,
            streamId: result.streamId,
            revision: result.revision,
            position: Math.max(result.position, ...followUps.map((f) => f.position)),
            events: result.events,
            ...ids,
          });
      },
    );
  };
