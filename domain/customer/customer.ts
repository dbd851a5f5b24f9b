import { z } from 'zod';
import { leadDataSubject } from '../lead/lead.js';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money, NonNegativeMoney } from '../shared/money.js';

export const CUSTOMER_CATEGORY = 'customer';
export const customerStreamId = (customerId: string) => `${CUSTOMER_CATEGORY}-${customerId}`;
/** A customer's contacts are sealed with a key of the customer's own, named by its id. */
export const customerDataSubject = (customerId: string) => customerId;

/** How much attention an account gets; a customer is standard until someone says otherwise. */
export const CUSTOMER_TIERS = ['strategic', 'key', 'standard'] as const;
export const CustomerTier = z.enum(CUSTOMER_TIERS);
export type CustomerTier = z.infer<typeof CustomerTier>;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const InteractionKind = z.enum(['visit', 'call', 'email', 'demo']);
export type InteractionKind = z.infer<typeof InteractionKind>;

export const customerEventSchemas = {
  CustomerRegistered: z.object({
    customerId: z.string(),
    name: z.string(),
    industry: z.string(),
    region: z.string(),
  }),
  InteractionRecorded: z.object({
    customerId: z.string(),
    interactionId: z.string(),
    kind: InteractionKind,
    note: z.string(),
    needs: z.array(z.string()).optional(),
  }),
  /** Only the fields that changed. */
  CustomerProfileUpdated: z.object({
    customerId: z.string(),
    name: z.string().optional(),
    industry: z.string().optional(),
    region: z.string().optional(),
    tier: CustomerTier.optional(),
  }),
  CreditLimitSet: z.object({
    customerId: z.string(),
    limit: NonNegativeMoney,
  }),
  RiskFlagRaised: z.object({
    customerId: z.string(),
    reason: z.string(),
  }),
  RiskFlagCleared: z.object({
    customerId: z.string(),
    reason: z.string(),
  }),
  /** Name, phone and e-mail are plain strings here: the application stores them encrypted. */
  ContactAdded: z.object({
    customerId: z.string(),
    contactId: z.string(),
    name: z.string(),
    phone: z.string().optional(),
    email: z.string().optional(),
    title: z.string().optional(),
  }),
  /**
   * Records that the customer's personal data was erased, who asked and why. erasedSubjects names
   * whose keys were destroyed: the customer's own and each lead's converted into it. Absent from
   * erasures recorded before it was, which destroyed the customer's own key alone.
   */
  CustomerPersonalDataErased: z.object({
    customerId: z.string(),
    reason: z.string(),
    erasedSubjects: z.array(z.string()).optional(),
  }),
  /** A lead converted into the customer after its erasure: its contact was not carried over, and the lead's key was destroyed. */
  ConvertedLeadErased: z.object({
    customerId: z.string(),
    leadId: z.string(),
    erasedSubjects: z.array(z.string()),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type CustomerEvent = EventOf<typeof customerEventSchemas>;

/**
 * The data fields of each event that hold personal data, for the application to encrypt
 * with the customer's key. Every event type is listed, so a new one has to say.
 */
const customerPersonalDataFields: Record<CustomerEvent['type'], readonly string[]> = {
  CustomerRegistered: [],
  InteractionRecorded: [],
  CustomerProfileUpdated: [],
  CreditLimitSet: [],
  RiskFlagRaised: [],
  RiskFlagCleared: [],
  ContactAdded: ['name', 'phone', 'email'],
  CustomerPersonalDataErased: [],
  ConvertedLeadErased: [],
};

// State

export type RegisteredCustomer = {
  status: 'registered';
  customerId: string;
  name: string;
  industry: string;
  region: string;
  tier: CustomerTier;
  /** Null until finance sets one. */
  creditLimit: Money | null;
  /** The reason is the one given when the flag last changed. */
  riskFlag: { flagged: boolean; reason: string | null };
  interactions: number;
  /** Their count is the number of contacts. */
  contactIds: readonly string[];
  personalDataErased: boolean;
  /** Whose keys the recorded erasures destroyed. */
  erasedSubjects: readonly string[];
};

export type Customer = { status: 'unknown' } | RegisteredCustomer;

export const initialState = (): Customer => ({ status: 'unknown' });

export const evolve = (state: Customer, event: CustomerEvent): Customer => {
  if (event.type === 'CustomerRegistered') {
    const { customerId, name, industry, region } = event.data;
    return {
      status: 'registered',
      customerId,
      name,
      industry,
      region,
      tier: 'standard',
      creditLimit: null,
      riskFlag: { flagged: false, reason: null },
      interactions: 0,
      contactIds: [],
      personalDataErased: false,
      erasedSubjects: [],
    };
  }
  if (state.status !== 'registered') return state;
  switch (event.type) {
    case 'InteractionRecorded':
      return { ...state, interactions: state.interactions + 1 };
    case 'CustomerProfileUpdated': {
      const { name, industry, region, tier } = event.data;
      return { ...state, name: name ?? state.name, industry: industry ?? state.industry, region: region ?? state.region, tier: tier ?? state.tier };
    }
    case 'CreditLimitSet':
      return { ...state, creditLimit: event.data.limit };
    case 'RiskFlagRaised':
      return { ...state, riskFlag: { flagged: true, reason: event.data.reason } };
    case 'RiskFlagCleared':
      return { ...state, riskFlag: { flagged: false, reason: event.data.reason } };
    case 'ContactAdded':
      return { ...state, contactIds: [...state.contactIds, event.data.contactId] };
    case 'CustomerPersonalDataErased': {
      const erased = event.data.erasedSubjects ?? [customerDataSubject(state.customerId)];
      return { ...state, personalDataErased: true, erasedSubjects: [...state.erasedSubjects, ...erased] };
    }
    case 'ConvertedLeadErased':
      return { ...state, erasedSubjects: [...state.erasedSubjects, ...event.data.erasedSubjects] };
  }
};

/** What other aggregates may know about a customer when they decide (an order's credit check). */
export type CustomerFacts = {
  customerId: string;
  tier: CustomerTier;
  region: string;
  creditLimit: Money | null;
  riskFlagged: boolean;
};

export const customerFacts = (state: RegisteredCustomer): CustomerFacts => ({
  customerId: state.customerId,
  tier: state.tier,
  region: state.region,
  creditLimit: state.creditLimit,
  riskFlagged: state.riskFlag.flagged,
});

// Commands

export type RegisterCustomer = {
  type: 'RegisterCustomer';
  customerId: string;
  name: string;
  industry: string;
  region: string;
};

export type RecordInteraction = {
  type: 'RecordInteraction';
  interactionId: string;
  kind: InteractionKind;
  note: string;
  needs?: string[];
};

export type UpdateProfile = { type: 'UpdateProfile'; name?: string; industry?: string; region?: string; tier?: CustomerTier };
export type SetCreditLimit = { type: 'SetCreditLimit'; limit: Money };
export type FlagRisk = { type: 'FlagRisk'; flagged: boolean; reason: string };
export type AddContact = { type: 'AddContact'; contactId: string; name: string; phone?: string; email?: string; title?: string };

export type ErasePersonalData = { type: 'ErasePersonalData'; reason: string };
/** A converted lead's contact, carried over to the customer the lead became. */
export type CarryOverLeadContact = Omit<AddContact, 'type'> & { type: 'CarryOverLeadContact'; leadId: string };

export type CustomerCommand =
  | RegisterCustomer
  | RecordInteraction
  | UpdateProfile
  | SetCreditLimit
  | FlagRisk
  | AddContact
  | ErasePersonalData
  | CarryOverLeadContact;

/** The leads converted into the customer: their contact is the same people's data, sealed under each lead's key. */
export type ErasureFacts = { readonly convertedLeads: readonly string[] };

/** Only an erasure needs facts from beyond the customer's stream. */
export type CustomerCommandFacts = {
  readonly RegisterCustomer: unknown;
  readonly RecordInteraction: unknown;
  readonly UpdateProfile: unknown;
  readonly SetCreditLimit: unknown;
  readonly FlagRisk: unknown;
  readonly AddContact: unknown;
  readonly ErasePersonalData: ErasureFacts;
  readonly CarryOverLeadContact: unknown;
};

export const customerRules = {
  registeredOnce: { id: 'CUS-01', name: 'A customer is registered once' },
  interactionsNeedACustomer: { id: 'CUS-02', name: 'Interactions are recorded against a registered customer' },
  accountNeedsACustomer: { id: 'CUS-03', name: "Only a registered customer's account can be changed" },
  profileMustChange: { id: 'CUS-04', name: 'A profile update must change something' },
  creditLimitNotNegative: { id: 'CUS-05', name: 'A credit limit is never negative' },
  financeControlsCredit: { id: 'CUS-06', name: 'Only finance sets a credit limit or clears a risk flag' },
  riskFlagNeedsReason: { id: 'CUS-07', name: 'Raising or clearing a risk flag needs a reason' },
  riskFlagMustChange: { id: 'CUS-08', name: 'A risk flag is raised only when clear, and cleared only when raised' },
  contactAddedOnce: { id: 'CUS-09', name: 'A contact is added once' },
  noContactsAfterErasure: { id: 'CUS-10', name: 'No personal data is taken for a customer whose personal data was erased' },
  erasureNeedsReason: { id: 'CUS-11', name: 'Erasing personal data needs a reason' },
  erasedOnce: { id: 'CUS-12', name: "A customer's personal data is erased once" },
} as const satisfies Record<string, Rule>;

/** Credit is risk control: the people who sell do not also decide how much credit a customer gets. */
const CREDIT_ROLES: readonly string[] = ['finance', 'admin'];

const PROFILE_FIELDS = ['name', 'industry', 'region', 'tier'] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

const contactAdded = (state: RegisteredCustomer, { contactId, name, phone, email, title }: Omit<AddContact, 'type'>): CustomerEvent[] | Refusal => {
  if (state.contactIds.includes(contactId)) return refuse(customerRules.contactAddedOnce, `Contact ${contactId} is already on the account`);
  return [
    {
      type: 'ContactAdded',
      data: {
        customerId: state.customerId,
        contactId,
        name,
        ...(phone !== undefined ? { phone } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(title !== undefined ? { title } : {}),
      },
    },
  ];
};

export const decide = (command: CustomerCommand, state: Customer, context: DecisionContext & Partial<ErasureFacts>): CustomerEvent[] | Refusal => {
  if (command.type === 'RegisterCustomer') {
    if (state.status !== 'unknown') {
      return refuse(customerRules.registeredOnce, `Customer ${state.customerId} is already registered`);
    }
    const { customerId, name, industry, region } = command;
    return [{ type: 'CustomerRegistered', data: { customerId, name, industry, region } }];
  }
  if (command.type === 'RecordInteraction') {
    if (state.status !== 'registered') {
      return refuse(customerRules.interactionsNeedACustomer, 'The customer is not registered');
    }
    const { interactionId, kind, note, needs } = command;
    return [
      {
        type: 'InteractionRecorded',
        data: { customerId: state.customerId, interactionId, kind, note, ...(needs ? { needs } : {}) },
      },
    ];
  }
  if (state.status !== 'registered') return refuse(customerRules.accountNeedsACustomer, 'The customer is not registered');
  const { customerId } = state;

  switch (command.type) {
    case 'UpdateProfile': {
      const changes: Partial<Pick<UpdateProfile, ProfileField>> = Object.fromEntries(
        PROFILE_FIELDS.filter((field) => command[field] !== undefined && command[field] !== state[field]).map((field) => [field, command[field]]),
      );
      if (Object.keys(changes).length === 0) {
        return refuse(customerRules.profileMustChange, 'Every field given already holds that value');
      }
      return [{ type: 'CustomerProfileUpdated', data: { customerId, ...changes } }];
    }
    case 'SetCreditLimit': {
      if (!CREDIT_ROLES.includes(context.actor.role)) {
        return refuse(customerRules.financeControlsCredit, `A ${context.actor.role} cannot set a credit limit`);
      }
      if (command.limit.minor < 0) return refuse(customerRules.creditLimitNotNegative, 'The credit limit must be zero or more');
      return [{ type: 'CreditLimitSet', data: { customerId, limit: command.limit } }];
    }
    case 'FlagRisk': {
      if (!command.reason.trim()) return refuse(customerRules.riskFlagNeedsReason, 'Say why the risk flag changes');
      if (command.flagged === state.riskFlag.flagged) {
        return refuse(customerRules.riskFlagMustChange, `The customer is already ${state.riskFlag.flagged ? 'flagged' : 'clear'}`);
      }
      if (command.flagged) return [{ type: 'RiskFlagRaised', data: { customerId, reason: command.reason } }];
      if (!CREDIT_ROLES.includes(context.actor.role)) {
        return refuse(customerRules.financeControlsCredit, `A ${context.actor.role} cannot clear a risk flag`);
      }
      return [{ type: 'RiskFlagCleared', data: { customerId, reason: command.reason } }];
    }
    case 'ErasePersonalData': {
      const subjects = [customerDataSubject(customerId), ...(context.convertedLeads ?? []).map(leadDataSubject)];
      // Only what is still readable: an erasure recorded before leads were erased with their customer is completed, not repeated.
      const pending = subjects.filter((subject) => !state.erasedSubjects.includes(subject));
      if (pending.length === 0) return refuse(customerRules.erasedOnce, 'The personal data of this customer and of every lead converted into it is already erased');
      if (!command.reason.trim()) return refuse(customerRules.erasureNeedsReason, 'Say why the personal data is erased');
      return [{ type: 'CustomerPersonalDataErased', data: { customerId, reason: command.reason, erasedSubjects: pending } }];
    }
    case 'AddContact':
      if (state.personalDataErased) return refuse(customerRules.noContactsAfterErasure, 'The personal data of this customer was erased');
      return contactAdded(state, command);
    case 'CarryOverLeadContact': {
      const { leadId } = command;
      // The conversion came after the erasure: the lead's contact is the erased customer's data too, so it goes with it.
      if (state.personalDataErased) return [{ type: 'ConvertedLeadErased', data: { customerId, leadId, erasedSubjects: [leadDataSubject(leadId)] } }];
      return contactAdded(state, command);
    }
  }
};

export const customerDecider: Decider<Customer, CustomerCommand, CustomerEvent, CustomerCommandFacts> = { initialState, evolve, decide };

export const customerAggregate: Aggregate<Customer, CustomerCommand, CustomerEvent, CustomerCommandFacts> = {
  category: CUSTOMER_CATEGORY,
  name: 'Customer',
  streamId: customerStreamId,
  decider: customerDecider,
  events: customerEventSchemas,
  personalData: { subject: customerDataSubject, fields: customerPersonalDataFields },
  customerOf: (state) => (state.status === 'registered' ? state.customerId : undefined),
};
