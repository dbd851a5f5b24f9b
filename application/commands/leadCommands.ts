import { leadAggregate, type CaptureLead, type ConvertLead, type DisqualifyLead, type Lead, type QualifyLead } from '../../domain/lead/lead.js';
import type { CommandEnvelope, CommandPipeline, CommandResult } from '../commandPipeline.js';
import { campaignAggregate } from '../../domain/campaign/campaign.js';
import { loadAggregate, mustExist } from '../loadAggregate.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/eventStore.js';
import { rosterEntry } from '../roster.js';
import { conversionIds, type LeadConversionReactor } from '../reactors/leadConversion.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

export type LeadConversion = Pick<ConvertLead, 'customer' | 'opportunity'> & {
  /** An existing customer the lead turns out to be; without it, the lead becomes a new customer. */
  customerId?: string;
};

/** Leads (articles 30-35): captured with their source, qualified or disqualified, converted into a customer and a deal. */
export const leadCommands = (pipeline: CommandPipeline, eventStore: EventStore, clock: Clock, conversions: LeadConversionReactor) => {
  const leads = new AggregateCommands(pipeline, leadAggregate);
  /** Whoever captured the lead, as the roster has them: who may work it. */
  const capturerOf = async (lead: Lead) => ({ owner: lead.status === 'none' || lead.capturedBy === undefined ? undefined : await rosterEntry(eventStore, lead.capturedBy) });
  return {
    /** NotFound for a campaignId naming no campaign: a lead is attributed only to a campaign on record. */
    async capture(lead: Payload<CaptureLead>, envelope: CommandEnvelope) {
      if (lead.campaignId !== undefined) await mustExist(eventStore, campaignAggregate, lead.campaignId);
      return leads.create(lead.leadId, { type: 'CaptureLead', ...lead }, envelope);
    },
    qualify: (leadId: string, qualification: Payload<QualifyLead>, envelope: CommandEnvelope) =>
      leads.act(leadId, { type: 'QualifyLead', ...qualification }, envelope, { facts: capturerOf }),
    disqualify: (leadId: string, disqualification: Payload<DisqualifyLead>, envelope: CommandEnvelope) =>
      leads.act(leadId, { type: 'DisqualifyLead', ...disqualification }, envelope, { facts: capturerOf }),

    /**
     * Converts a qualified lead, then registers the customer, carries the contact over and opens the
     * deal at once, so the new ids are usable on return; the reactor's subscription finishes them
     * after a crash. A conversion its follow-ups could not finish is refused whole, nothing appended.
     */
    async convert(leadId: string, { customerId: existingCustomerId, customer, opportunity }: LeadConversion, envelope: CommandEnvelope) {
      const ids = conversionIds(leadId, existingCustomerId);
      const lead = await loadAggregate(eventStore, leadAggregate.decider, leadAggregate.streamId(leadId));
      // The lead's own rules speak first: a lead that cannot convert is refused for that, not for its follow-ups.
      if (lead?.state.status === 'qualified') {
        await conversions.assertFollowUpsPossible({ leadId, ...ids }, existingCustomerId !== undefined, opportunity, { now: clock.now(), actor: envelope.actor });
      }
      const command: ConvertLead = { type: 'ConvertLead', customerIsNew: existingCustomerId === undefined, ...ids, ...(customer ? { customer } : {}), opportunity };
      const result = await leads.act(leadId, command, envelope, { facts: capturerOf, metadata: { customerId: ids.customerId } });
      const converted = (await eventStore.readStream(leadAggregate.streamId(leadId))).find((e) => e.type === 'LeadConverted');
      if (!converted) throw new Error(`Lead ${leadId} answered a conversion but holds no LeadConverted`);
      const followUps: CommandResult[] = await conversions.react(converted);
      return { result, ...ids, followUps };
    },
  };
};

export type LeadCommands = ReturnType<typeof leadCommands>;
