import type { Logger } from 'pino';
import { z } from 'zod';
import { customerAggregate, customerRules } from '../../domain/customer/customer.js';
import { campaignOfLead, leadEventSchemas, leadDataSubject, leadStreamId, partnerOfLead, type ConversionOpportunity } from '../../domain/lead/lead.js';
import { opportunityAggregate } from '../../domain/opportunity/opportunity.js';
import { isRefusal, refuse, type DecisionContext } from '../../domain/shared/decider.js';
import type { CommandEnvelope, CommandResult } from '../commandPipeline.js';
import type { CustomerCommands } from '../commands/customerCommands.js';
import type { OpportunityCommands } from '../commands/opportunityCommands.js';
import { NotFound, RuleRefused } from '../errors.js';
import { idFromKey } from '../ids.js';
import { stateOf } from '../loadAggregate.js';
import { rosterEntry } from '../roster.js';
import { ERASED, type PersonalDataVault } from '../personalData.js';
import type { EventStore, RecordedEvent } from '../ports/eventStore.js';
import type { ReadStore } from '../ports/readStore.js';
import { ReactorSubscriber } from './reactorSubscriber.js';
import type { FollowedLog } from '../followers/sharedLog.js';

const ConvertedMetadata = z.object({
  actor: z.object({ id: z.string(), role: z.string() }),
  correlationId: z.string(),
});

/**
 * The customer and opportunity a lead becomes. They are named before LeadConverted exists,
 * so they derive from the lead, which converts once: every retry names the same ones.
 */
export const conversionIds = (leadId: string, existingCustomerId: string | undefined) => ({
  customerId: existingCustomerId ?? idFromKey('lead-conversion customer', leadId),
  opportunityId: idFromKey('lead-conversion opportunity', leadId),
});

/** A lead's campaign and partner carry over to the deal; a lead that names neither has none to carry. */
const sourceLink = (converted: z.infer<typeof leadEventSchemas.LeadConverted>) => {
  const campaignId = campaignOfLead(converted);
  const partnerId = partnerOfLead(converted);
  if (!campaignId && !partnerId) return null;
  return { ...(campaignId ? { campaignId } : {}), ...(partnerId ? { partnerId } : {}) };
};

export type LeadConversionDeps = { eventStore: EventStore; customers: CustomerCommands; opportunities: OpportunityCommands; personalData: PersonalDataVault };

/**
 * Finishes a lead conversion across aggregates: registers the new customer, carries the
 * lead's contact over, opens the opportunity and links its source. Each follow-up's command
 * id derives from the LeadConverted event id, so running it again replays instead of
 * appending twice.
 */
export class LeadConversionReactor {
  constructor(private readonly deps: LeadConversionDeps) {}

  /**
   * Judges the follow-ups before the lead converts, so a conversion they could not finish
   * is refused whole with nothing appended: NotFound for an unknown existing customer,
   * RuleRefused for a rule a follow-up would break.
   */
  async assertFollowUpsPossible(
    ids: { leadId: string; customerId: string; opportunityId: string },
    existingCustomer: boolean,
    opportunity: ConversionOpportunity,
    context: DecisionContext,
  ): Promise<void> {
    if (existingCustomer) {
      const customer = await stateOf(this.deps.eventStore, customerAggregate, ids.customerId);
      if (customer?.status !== 'registered') throw new NotFound(customerAggregate.name, ids.customerId);
      if (customer.personalDataErased) {
        throw new RuleRefused(refuse(customerRules.noContactsAfterErasure, "The customer's personal data was erased; the lead's contact cannot be added"));
      }
    }
    const { leadId, customerId, opportunityId } = ids;
    const { decider } = opportunityAggregate;
    const owner = await rosterEntry(this.deps.eventStore, opportunity.ownerId);
    const opening = decider.decide({ type: 'OpenOpportunity', opportunityId, customerId, leadId, ...opportunity }, decider.initialState(), { ...context, owner });
    if (isRefusal(opening)) throw new RuleRefused(opening);
  }

  /** Issues the follow-ups of one LeadConverted, in order; for a repeat, each replays its first answer. */
  async react(event: RecordedEvent): Promise<CommandResult[]> {
    const converted = leadEventSchemas.LeadConverted.parse(event.data);
    const { actor, correlationId } = ConvertedMetadata.parse(event.metadata);
    const { leadId, customerId, opportunityId, opportunity: deal } = converted;
    // Optional in the stored schema only because earlier events lack it; without it there is no deal to open.
    if (!deal) throw new Error(`LeadConverted ${event.eventId} names no opportunity to open`);
    const { customers, opportunities } = this.deps;
    const envelope = (step: string): CommandEnvelope => ({
      commandId: idFromKey(`LeadConverted ${step}`, event.eventId),
      actor,
      correlationId,
      causationId: event.eventId,
    });
    const results: CommandResult[] = [];

    if (converted.customerIsNew) {
      if (!converted.customer) throw new Error(`LeadConverted ${event.eventId} makes a new customer but names none`);
      const { name, industry, region } = converted.customer;
      results.push(await customers.register({ customerId, name, industry, region }, envelope('RegisterCustomer')));
    }
    const contact = await this.leadContact(leadId);
    if (contact) {
      // Named AddContact still: conversions already in the log derived this step's command id from that name.
      const carryOver = { leadId, contactId: idFromKey('LeadConverted contact', event.eventId), ...contact };
      results.push(await customers.carryOverLeadContact(customerId, carryOver, envelope('AddContact')));
    }
    results.push(await opportunities.open({ opportunityId, customerId, leadId, ...deal }, envelope('OpenOpportunity')));
    const link = sourceLink(converted);
    if (link) results.push(await opportunities.linkSource(opportunityId, link, envelope('LinkSource')));
    return results;
  }

  /** The lead's contact in the clear, to be sealed again under the customer; null once the lead's key is gone. */
  private async leadContact(leadId: string) {
    const captured = (await this.deps.eventStore.readStream(leadStreamId(leadId))).find((e) => e.type === 'LeadCaptured');
    if (!captured) throw new NotFound('Lead', leadId);
    const { contact } = leadEventSchemas.LeadCaptured.parse(captured.data);
    const subject = leadDataSubject(leadId);
    const reveal = async (value: string | undefined) => (value === undefined ? undefined : this.deps.personalData.reveal(subject, value));
    const name = await this.deps.personalData.reveal(subject, contact.name);
    if (name === ERASED) return null;
    return { name, phone: await reveal(contact.phone), email: await reveal(contact.email), title: contact.title };
  }
}

/** The subscription that finishes conversions a crash cut short; the composition root starts and stops it. */
export const leadConversionSubscriber = (deps: { reactor: LeadConversionReactor; eventStore: FollowedLog; readStore: ReadStore; logger: Logger }) =>
  new ReactorSubscriber({
    name: 'lead-conversion',
    handles: ['LeadConverted'],
    react: (event) => deps.reactor.react(event),
    eventStore: deps.eventStore,
    readStore: deps.readStore,
    logger: deps.logger.child({ component: 'reactors', reactor: 'lead-conversion' }),
  });
