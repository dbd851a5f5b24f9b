import { z } from 'zod';
import { UNKNOWN_PROFILE_FIELD } from '../customer/profile.js';
import type { Aggregate } from '../shared/aggregate.js';
import { actsForOwner, type OwnerFacts } from '../team/ownership.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';

export const LEAD_CATEGORY = 'lead';
export const leadStreamId = (leadId: string) => `${LEAD_CATEGORY}-${leadId}`;
/** A lead's contact is sealed with the lead's own key until conversion carries it over to the customer's. */
export const leadDataSubject = (leadId: string) => `lead-${leadId}`;

/** Where a lead came from; campaign and partner leads are attributed through their sourceRef. */
export const LeadSource = z.enum(['inbound', 'campaign', 'partner', 'referral']);
export type LeadSource = z.infer<typeof LeadSource>;

type Attribution = { readonly source: LeadSource; readonly sourceRef?: string | undefined; readonly campaignId?: string | undefined };

/** The campaign a lead answered: the one it names, or, for a campaign lead, the one its source names. */
export const campaignOfLead = ({ source, sourceRef, campaignId }: Attribution): string | undefined =>
  campaignId ?? (source === 'campaign' && sourceRef ? sourceRef : undefined);

/** The partner that brought a partner lead. */
export const partnerOfLead = ({ source, sourceRef }: Attribution): string | undefined => (source === 'partner' && sourceRef ? sourceRef : undefined);

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

/** Name, phone and e-mail are plain strings here: the application stores them encrypted. */
export const LeadContact = z.object({
  name: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
  title: z.string().optional(),
});
export type LeadContact = z.infer<typeof LeadContact>;

/** The customer a lead becomes when it is not joining an existing one. */
export const ConversionCustomer = z.object({ name: z.string(), industry: z.string(), region: z.string() });

/** The deal a converted lead opens. */
export const ConversionOpportunity = z.object({ title: z.string(), ownerId: z.string(), amount: Money });
export type ConversionOpportunity = z.infer<typeof ConversionOpportunity>;

export const leadEventSchemas = {
  LeadCaptured: z.object({
    leadId: z.string(),
    source: LeadSource,
    sourceRef: z.string().optional(),
    company: z.string(),
    contact: LeadContact,
    interest: z.string(),
    /** The seller who captured it and works it; absent from leads captured before it was recorded. */
    capturedBy: z.string().optional(),
    /** The campaign the lead answered, whatever its source (a partner's lead from a webinar names both); a campaign lead's is its sourceRef. */
    campaignId: z.string().optional(),
  }),
  LeadQualified: z.object({
    leadId: z.string(),
    note: z.string().optional(),
  }),
  LeadDisqualified: z.object({
    leadId: z.string(),
    reason: z.string(),
  }),
  /**
   * Carries the lead's company, interest and source, the new customer and the deal, so the
   * reactor that registers the customer, opens the opportunity and links its source needs no
   * other event. customer and opportunity came later: optional so earlier events still parse.
   */
  LeadConverted: z.object({
    leadId: z.string(),
    customerId: z.string(),
    customerIsNew: z.boolean(),
    opportunityId: z.string(),
    company: z.string(),
    interest: z.string(),
    source: LeadSource,
    sourceRef: z.string().optional(),
    customer: ConversionCustomer.optional(),
    opportunity: ConversionOpportunity.optional(),
    /** The campaign the lead answered, carried to the deal; absent when it named none. */
    campaignId: z.string().optional(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type LeadEvent = EventOf<typeof leadEventSchemas>;

/**
 * The data fields of each event that hold personal data, as dotted paths, for the
 * application to encrypt. Every event type is listed, so a new one has to say.
 */
const leadPersonalDataFields: Record<LeadEvent['type'], readonly string[]> = {
  LeadCaptured: ['contact.name', 'contact.phone', 'contact.email'],
  LeadQualified: [],
  LeadDisqualified: [],
  LeadConverted: [],
};

// State

export type Lead =
  | { status: 'none' }
  | {
      status: 'new' | 'qualified' | 'disqualified' | 'converted';
      leadId: string;
      source: LeadSource;
      sourceRef?: string;
      company: string;
      interest: string;
      capturedBy?: string;
      campaignId?: string;
    };

export const initialState = (): Lead => ({ status: 'none' });

export const evolve = (state: Lead, event: LeadEvent): Lead => {
  switch (event.type) {
    case 'LeadCaptured': {
      const { leadId, source, sourceRef, company, interest, capturedBy, campaignId } = event.data;
      return {
        status: 'new',
        leadId,
        source,
        company,
        interest,
        ...(sourceRef !== undefined ? { sourceRef } : {}),
        ...(capturedBy !== undefined ? { capturedBy } : {}),
        ...(campaignId !== undefined ? { campaignId } : {}),
      };
    }
    case 'LeadQualified':
      return state.status === 'none' ? state : { ...state, status: 'qualified' };
    case 'LeadDisqualified':
      return state.status === 'none' ? state : { ...state, status: 'disqualified' };
    case 'LeadConverted':
      return state.status === 'none' ? state : { ...state, status: 'converted' };
  }
};

// Commands

export type CaptureLead = {
  type: 'CaptureLead';
  leadId: string;
  source: LeadSource;
  sourceRef?: string;
  company: string;
  contact: LeadContact;
  interest: string;
  campaignId?: string;
};
export type QualifyLead = { type: 'QualifyLead'; note?: string };
export type DisqualifyLead = { type: 'DisqualifyLead'; reason: string };
export type ConvertLead = {
  type: 'ConvertLead';
  customerId: string;
  customerIsNew: boolean;
  opportunityId: string;
  /** Only for a new customer; named after the lead's company unless a name is given, its industry and region unknown unless given. */
  customer?: { name?: string; industry?: string; region?: string };
  opportunity: ConversionOpportunity;
};

export type LeadCommand = CaptureLead | QualifyLead | DisqualifyLead | ConvertLead;

export const leadRules = {
  capturedOnce: { id: 'LEA-01', name: 'A lead is captured once' },
  sourceNamed: { id: 'LEA-02', name: 'A campaign or partner lead names its campaign or partner' },
  contactReachable: { id: 'LEA-03', name: 'A lead gives a phone number or an e-mail address for its contact' },
  leadMustExist: { id: 'LEA-04', name: 'Only a captured lead can be worked' },
  qualifiedOnce: { id: 'LEA-05', name: 'A lead is qualified once' },
  disqualifyNeedsReason: { id: 'LEA-06', name: 'Disqualifying a lead needs a reason' },
  disqualifiedIsClosed: { id: 'LEA-07', name: 'A disqualified lead takes no further work' },
  convertOnlyQualified: { id: 'LEA-08', name: 'Only a qualified lead is converted' },
  convertedOnce: { id: 'LEA-09', name: 'A lead is converted once, and is then closed' },
  newCustomerDescribed: { id: 'LEA-10', name: 'A new customer described at conversion gives both its industry and its region' },
  existingCustomerNotDescribed: { id: 'LEA-11', name: 'A lead converted into an existing customer does not describe it anew' },
  workedByOwner: { id: 'LEA-12', name: "A lead is qualified, disqualified and converted by whoever captured it, their manager or an admin" },
  campaignIsSource: { id: 'LEA-13', name: "A campaign lead's campaign is the one its source names" },
} as const satisfies Record<string, Rule>;

/** Sources whose pipeline is attributed to a campaign or a partner (articles 30-35). */
const ATTRIBUTED_SOURCES: readonly LeadSource[] = ['campaign', 'partner'];

/** Working a lead is judged with the roster entry of whoever captured it. */
export type LeadFacts = {
  readonly CaptureLead: unknown;
  readonly QualifyLead: OwnerFacts;
  readonly DisqualifyLead: OwnerFacts;
  readonly ConvertLead: OwnerFacts;
};

export const decide = (command: LeadCommand, state: Lead, context: DecisionContext & Partial<OwnerFacts>): LeadEvent[] | Refusal => {
  if (command.type === 'CaptureLead') {
    if (state.status !== 'none') return refuse(leadRules.capturedOnce, `Lead ${state.leadId} is already captured`);
    const { leadId, source, sourceRef, company, contact, interest, campaignId } = command;
    if (ATTRIBUTED_SOURCES.includes(source) && !sourceRef?.trim()) {
      return refuse(leadRules.sourceNamed, `A ${source} lead needs the id of its ${source} in sourceRef`);
    }
    if (source === 'campaign' && campaignId !== undefined && campaignId !== sourceRef) {
      return refuse(leadRules.campaignIsSource, `The lead's source names campaign ${sourceRef}, not ${campaignId}`);
    }
    if (!contact.phone?.trim() && !contact.email?.trim()) {
      return refuse(leadRules.contactReachable, 'The contact has neither a phone number nor an e-mail address');
    }
    return [
      {
        type: 'LeadCaptured',
        data: {
          leadId,
          source,
          ...(sourceRef !== undefined ? { sourceRef } : {}),
          company,
          contact,
          interest,
          capturedBy: context.actor.id,
          ...(campaignId !== undefined ? { campaignId } : {}),
        },
      },
    ];
  }
  if (state.status === 'none') return refuse(leadRules.leadMustExist, 'The lead was never captured');
  if (state.status === 'converted') return refuse(leadRules.convertedOnce, 'The lead is already converted');
  if (state.status === 'disqualified') return refuse(leadRules.disqualifiedIsClosed, 'The lead is disqualified');
  const { leadId, capturedBy } = state;
  // A lead captured before its capturer was recorded has no owner to answer for it: any seller works it.
  if (capturedBy !== undefined && !actsForOwner(context.actor, capturedBy, context.owner)) {
    return refuse(leadRules.workedByOwner, `${context.actor.id} is neither ${capturedBy}, their manager nor an admin`);
  }

  switch (command.type) {
    case 'QualifyLead':
      if (state.status === 'qualified') return refuse(leadRules.qualifiedOnce, 'The lead is already qualified');
      return [{ type: 'LeadQualified', data: { leadId, ...(command.note !== undefined ? { note: command.note } : {}) } }];
    case 'DisqualifyLead':
      if (!command.reason.trim()) return refuse(leadRules.disqualifyNeedsReason, 'Say why the lead is disqualified');
      return [{ type: 'LeadDisqualified', data: { leadId, reason: command.reason } }];
    case 'ConvertLead': {
      if (state.status !== 'qualified') return refuse(leadRules.convertOnlyQualified, 'The lead has not been qualified');
      const { customerId, customerIsNew, opportunityId, customer, opportunity } = command;
      const { company, interest, source, sourceRef, campaignId } = state;
      if (customer && (!customer.industry?.trim() || !customer.region?.trim())) {
        return refuse(leadRules.newCustomerDescribed, 'A new customer described at conversion needs both its industry and its region, or neither');
      }
      // The existing customer keeps its own profile; details here would be recorded and never applied.
      if (!customerIsNew && customer) return refuse(leadRules.existingCustomerNotDescribed, `Customer ${customerId} already exists`);
      // A lead knows the company, not always its industry or region: those stay unknown until the profile is completed.
      const newCustomer = customerIsNew
        ? { customer: { name: customer?.name ?? company, industry: customer?.industry ?? UNKNOWN_PROFILE_FIELD, region: customer?.region ?? UNKNOWN_PROFILE_FIELD } }
        : {};
      return [
        {
          type: 'LeadConverted',
          data: {
            leadId,
            customerId,
            customerIsNew,
            opportunityId,
            company,
            interest,
            source,
            ...(sourceRef !== undefined ? { sourceRef } : {}),
            ...newCustomer,
            opportunity,
            ...(campaignId !== undefined ? { campaignId } : {}),
          },
        },
      ];
    }
  }
};

export const leadDecider: Decider<Lead, LeadCommand, LeadEvent, LeadFacts> = { initialState, evolve, decide };

export const leadAggregate: Aggregate<Lead, LeadCommand, LeadEvent, LeadFacts> = {
  category: LEAD_CATEGORY,
  name: 'Lead',
  streamId: leadStreamId,
  decider: leadDecider,
  events: leadEventSchemas,
  personalData: { subject: leadDataSubject, fields: leadPersonalDataFields },
};
