import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { actsForOwner, type OwnerFacts, type RosterEntry } from '../team/ownership.js';
import { Money } from '../shared/money.js';

export const OPPORTUNITY_CATEGORY = 'opportunity';
export const opportunityStreamId = (opportunityId: string) => `${OPPORTUNITY_CATEGORY}-${opportunityId}`;

/** The sales stages in the order a deal moves through them. */
export const STAGES = ['qualification', 'discovery', 'proposal', 'negotiation'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

/** How the customer took the proposal, as the seller read it. */
export const FeedbackSentiment = z.enum(['positive', 'neutral', 'negative']);

// Events

export const opportunityEventSchemas = {
  OpportunityOpened: z.object({
    opportunityId: z.string(),
    customerId: z.string(),
    title: z.string(),
    ownerId: z.string(),
    amount: Money,
    stage: Stage,
    /** The lead this deal came from, when it came from one. */
    leadId: z.string().optional(),
  }),
  OpportunityStageChanged: z.object({
    opportunityId: z.string(),
    from: Stage,
    to: Stage,
    reason: z.string().optional(),
  }),
  OpportunityWon: z.object({
    opportunityId: z.string(),
    customerId: z.string(),
    amount: Money,
    reason: z.string().optional(),
  }),
  OpportunityLost: z.object({
    opportunityId: z.string(),
    customerId: z.string(),
    reason: z.string(),
  }),
  OpportunityNeedsRecorded: z.object({
    opportunityId: z.string(),
    needs: z.array(z.string()),
    proposedSolution: z.string().optional(),
  }),
  OpportunityReassigned: z.object({
    opportunityId: z.string(),
    from: z.string(),
    to: z.string(),
    reason: z.string().optional(),
  }),
  /** Attribution of the deal to the campaign and/or partner that brought it. */
  OpportunitySourceLinked: z.object({
    opportunityId: z.string(),
    campaignId: z.string().optional(),
    partnerId: z.string().optional(),
  }),
  /** What the customer said of the proposal, in their words (article 26: respect the customer's opinion). */
  OpportunityFeedbackRecorded: z.object({
    opportunityId: z.string(),
    feedback: z.string(),
    sentiment: FeedbackSentiment,
  }),
  /** The partner's approved deal registration the deal is worked under; it names the partner, so attribution needs no lookup. */
  OpportunityRegistrationLinked: z.object({
    opportunityId: z.string(),
    registrationId: z.string(),
    partnerId: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type OpportunityEvent = EventOf<typeof opportunityEventSchemas>;

// State

export type Opportunity =
  | { status: 'none' }
  | {
      status: 'open' | 'won' | 'lost';
      opportunityId: string;
      customerId: string;
      ownerId: string;
      amount: Money;
      stage: Stage;
      /** The deal registration it is worked under, once linked. */
      registrationId?: string;
    };

export const initialState = (): Opportunity => ({ status: 'none' });

export const evolve = (state: Opportunity, event: OpportunityEvent): Opportunity => {
  switch (event.type) {
    case 'OpportunityOpened': {
      const { opportunityId, customerId, ownerId, amount, stage } = event.data;
      return { status: 'open', opportunityId, customerId, ownerId, amount, stage };
    }
    case 'OpportunityStageChanged':
      return state.status === 'none' ? state : { ...state, stage: event.data.to };
    case 'OpportunityWon':
      return state.status === 'none' ? state : { ...state, status: 'won' };
    case 'OpportunityLost':
      return state.status === 'none' ? state : { ...state, status: 'lost' };
    case 'OpportunityReassigned':
      return state.status === 'none' ? state : { ...state, ownerId: event.data.to };
    case 'OpportunityRegistrationLinked':
      return state.status === 'none' ? state : { ...state, registrationId: event.data.registrationId };
    case 'OpportunityNeedsRecorded':
    case 'OpportunitySourceLinked':
    case 'OpportunityFeedbackRecorded':
      return state;
  }
};

// Commands

export type OpenOpportunity = {
  type: 'OpenOpportunity';
  opportunityId: string;
  customerId: string;
  title: string;
  ownerId: string;
  amount: Money;
  leadId?: string;
};
export type ChangeStage = { type: 'ChangeStage'; stage: Stage; reason?: string };
export type WinOpportunity = { type: 'WinOpportunity'; reason?: string };
export type LoseOpportunity = { type: 'LoseOpportunity'; reason: string };
export type RecordNeeds = { type: 'RecordNeeds'; needs: string[]; proposedSolution?: string };
export type ReassignOwner = { type: 'ReassignOwner'; ownerId: string; reason?: string };
export type LinkSource = { type: 'LinkSource'; campaignId?: string; partnerId?: string };
export type RecordFeedback = { type: 'RecordFeedback'; feedback: string; sentiment: z.infer<typeof FeedbackSentiment> };
export type LinkRegistration = { type: 'LinkRegistration'; registrationId: string };

export type OpportunityCommand =
  | OpenOpportunity
  | ChangeStage
  | WinOpportunity
  | LoseOpportunity
  | RecordNeeds
  | ReassignOwner
  | LinkSource
  | RecordFeedback
  | LinkRegistration;

/** A deal registration as a deal linking to it needs to see it, as the application found it. */
export type RegistrationFacts = {
  readonly registrationId: string;
  readonly status: 'pending' | 'approved' | 'rejected' | 'expired';
  readonly partnerId: string;
  /** The registered customer, when the registration named an existing one rather than a company. */
  readonly customerId?: string;
  readonly expiresAt: string;
};

/** The owner's roster entry for every command; a reassignment also needs the new owner's. */
export type OpportunityFacts = {
  readonly OpenOpportunity: OwnerFacts;
  readonly ChangeStage: OwnerFacts;
  readonly WinOpportunity: OwnerFacts;
  readonly LoseOpportunity: OwnerFacts;
  readonly RecordNeeds: OwnerFacts;
  readonly ReassignOwner: OwnerFacts & { readonly newOwner: RosterEntry | undefined };
  readonly LinkSource: OwnerFacts;
  readonly RecordFeedback: OwnerFacts;
  readonly LinkRegistration: OwnerFacts & { readonly registration: RegistrationFacts };
};

export const opportunityRules = {
  openedOnce: { id: 'OPP-01', name: 'An opportunity is opened once' },
  closedIsFinal: { id: 'OPP-02', name: 'A won or lost opportunity takes no further change' },
  stageMustChange: { id: 'OPP-03', name: 'A stage change must move the deal' },
  backwardsNeedsReason: { id: 'OPP-04', name: 'Moving a deal back a stage needs a reason' },
  positiveAmount: { id: 'OPP-05', name: 'An opportunity is worth more than nothing' },
  needsNamed: { id: 'OPP-06', name: "Recording a customer's needs names at least one need" },
  reassignedByManager: { id: 'OPP-07', name: 'Only a sales manager reassigns a deal to another owner' },
  reassignChangesOwner: { id: 'OPP-08', name: 'A reassignment hands the deal to someone else' },
  sourceNamed: { id: 'OPP-09', name: 'A deal source names the campaign or the partner' },
  feedbackInWords: { id: 'OPP-10', name: "The customer's feedback is recorded in what they said, never empty" },
  ownerOnRoster: { id: 'OPP-11', name: 'A deal belongs to an active seller on the roster' },
  workedByOwner: { id: 'OPP-12', name: "A deal is opened and worked by its owner, the owner's manager or an admin" },
  registrationInForce: { id: 'OPP-13', name: 'A deal is linked only to an approved deal registration that has not expired' },
  registrationOfCustomer: { id: 'OPP-14', name: "A deal is linked only to a registration for the deal's own customer" },
  oneRegistration: { id: 'OPP-15', name: 'A deal is worked under one deal registration' },
} as const satisfies Record<string, Rule>;

/** Moving a deal moves its pipeline and commission: a manager's call, not the reps'. */
const REASSIGNING_ROLES: readonly string[] = ['sales_manager', 'admin'];

const stageIndex = (stage: Stage) => STAGES.indexOf(stage);

type Decision = OpportunityEvent[] | Refusal;
type OpenDeal = Exclude<Opportunity, { status: 'none' }>;

const notOnRoster = (sellerId: string, entry: RosterEntry | undefined): Refusal | undefined => {
  if (!entry) return refuse(opportunityRules.ownerOnRoster, `${sellerId} is on no sales roster`);
  if (!entry.active) return refuse(opportunityRules.ownerOnRoster, `${sellerId} was offboarded`);
  return undefined;
};

const notForOwner = (context: DecisionContext & OwnerFacts, ownerId: string): Refusal | undefined =>
  actsForOwner(context.actor, ownerId, context.owner)
    ? undefined
    : refuse(opportunityRules.workedByOwner, `${context.actor.id} is neither ${ownerId}, their manager nor an admin`);

/** OPP-02 and OPP-12: a deal is worked while open, by whoever may act for its owner. */
const onOpenDeal = (state: Opportunity, context: DecisionContext & OwnerFacts, decide: (deal: OpenDeal) => Decision): Decision => {
  if (state.status === 'none') return refuse(opportunityRules.closedIsFinal, 'The opportunity was never opened');
  if (state.status !== 'open') return refuse(opportunityRules.closedIsFinal, `The opportunity is already ${state.status}`);
  return notForOwner(context, state.ownerId) ?? decide(state);
};

export const decide = decideByCommand<Opportunity, OpportunityCommand, OpportunityEvent, OpportunityFacts>({
  OpenOpportunity: (command, state, context) => {
    if (state.status !== 'none') return refuse(opportunityRules.openedOnce, `Opportunity ${state.opportunityId} is already open`);
    const { opportunityId, customerId, title, ownerId, amount, leadId } = command;
    const refusal = notForOwner(context, ownerId) ?? notOnRoster(ownerId, context.owner);
    if (refusal) return refusal;
    if (amount.minor <= 0) return refuse(opportunityRules.positiveAmount, 'The amount must be greater than zero');
    return [
      {
        type: 'OpportunityOpened',
        data: { opportunityId, customerId, title, ownerId, amount, stage: 'qualification', ...(leadId !== undefined ? { leadId } : {}) },
      },
    ];
  },

  ChangeStage: (command, state, context) =>
    onOpenDeal(state, context, ({ opportunityId, stage }) => {
      if (command.stage === stage) return refuse(opportunityRules.stageMustChange, `The opportunity is already in ${stage}`);
      const backwards = stageIndex(command.stage) < stageIndex(stage);
      if (backwards && !command.reason?.trim()) {
        return refuse(opportunityRules.backwardsNeedsReason, `Moving from ${stage} back to ${command.stage} needs a reason`);
      }
      return [{ type: 'OpportunityStageChanged', data: { opportunityId, from: stage, to: command.stage, ...(command.reason ? { reason: command.reason } : {}) } }];
    }),

  WinOpportunity: (command, state, context) =>
    onOpenDeal(state, context, ({ opportunityId, customerId, amount }) => [
      { type: 'OpportunityWon', data: { opportunityId, customerId, amount, ...(command.reason ? { reason: command.reason } : {}) } },
    ]),

  LoseOpportunity: (command, state, context) =>
    onOpenDeal(state, context, ({ opportunityId, customerId }) => [{ type: 'OpportunityLost', data: { opportunityId, customerId, reason: command.reason } }]),

  RecordNeeds: (command, state, context) =>
    onOpenDeal(state, context, ({ opportunityId }) => {
      const needs = command.needs.filter((need) => need.trim());
      if (needs.length === 0) return refuse(opportunityRules.needsNamed, 'No need was named');
      const { proposedSolution } = command;
      return [{ type: 'OpportunityNeedsRecorded', data: { opportunityId, needs, ...(proposedSolution !== undefined ? { proposedSolution } : {}) } }];
    }),

  ReassignOwner: (command, state, context) => {
    if (state.status === 'open' && !REASSIGNING_ROLES.includes(context.actor.role)) {
      return refuse(opportunityRules.reassignedByManager, `A ${context.actor.role} cannot reassign a deal`);
    }
    return onOpenDeal(state, context, ({ opportunityId, ownerId }) => {
      if (command.ownerId === ownerId) return refuse(opportunityRules.reassignChangesOwner, `${ownerId} already owns the deal`);
      const notActive = notOnRoster(command.ownerId, context.newOwner);
      if (notActive) return notActive;
      return [{ type: 'OpportunityReassigned', data: { opportunityId, from: ownerId, to: command.ownerId, ...(command.reason ? { reason: command.reason } : {}) } }];
    });
  },

  LinkSource: (command, state, context) =>
    onOpenDeal(state, context, ({ opportunityId }) => {
      const { campaignId, partnerId } = command;
      if (!campaignId && !partnerId) return refuse(opportunityRules.sourceNamed, 'Name a campaign, a partner or both');
      return [{ type: 'OpportunitySourceLinked', data: { opportunityId, ...(campaignId ? { campaignId } : {}), ...(partnerId ? { partnerId } : {}) } }];
    }),

  RecordFeedback: (command, state, context) =>
    onOpenDeal(state, context, ({ opportunityId }) => {
      if (!command.feedback.trim()) return refuse(opportunityRules.feedbackInWords, 'Write down what the customer said');
      return [{ type: 'OpportunityFeedbackRecorded', data: { opportunityId, feedback: command.feedback, sentiment: command.sentiment } }];
    }),

  LinkRegistration: (_command, state, context) =>
    onOpenDeal(state, context, ({ opportunityId, customerId, registrationId: linked }) => {
      const { registration } = context;
      if (linked !== undefined) {
        return refuse(opportunityRules.oneRegistration, linked === registration.registrationId ? `The deal is already linked to ${linked}` : `The deal is worked under registration ${linked}`);
      }
      if (registration.status !== 'approved') return refuse(opportunityRules.registrationInForce, `Registration ${registration.registrationId} is ${registration.status}`);
      if (Date.parse(registration.expiresAt) <= Date.parse(context.now)) {
        return refuse(opportunityRules.registrationInForce, `Registration ${registration.registrationId} expired at ${registration.expiresAt}`);
      }
      if (registration.customerId !== undefined && registration.customerId !== customerId) {
        return refuse(opportunityRules.registrationOfCustomer, `Registration ${registration.registrationId} is for customer ${registration.customerId}, not ${customerId}`);
      }
      return [{ type: 'OpportunityRegistrationLinked', data: { opportunityId, registrationId: registration.registrationId, partnerId: registration.partnerId } }];
    }),
});

export const opportunityDecider: Decider<Opportunity, OpportunityCommand, OpportunityEvent, OpportunityFacts> = { initialState, evolve, decide };

export const opportunityAggregate: Aggregate<Opportunity, OpportunityCommand, OpportunityEvent, OpportunityFacts> = {
  category: OPPORTUNITY_CATEGORY,
  name: 'Opportunity',
  streamId: opportunityStreamId,
  decider: opportunityDecider,
  events: opportunityEventSchemas,
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
