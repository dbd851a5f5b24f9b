import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
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

export type OpportunityCommand =
  | OpenOpportunity
  | ChangeStage
  | WinOpportunity
  | LoseOpportunity
  | RecordNeeds
  | ReassignOwner
  | LinkSource
  | RecordFeedback;

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
} as const satisfies Record<string, Rule>;

/** Moving a deal moves its pipeline and commission: a manager's call, not the reps'. */
const REASSIGNING_ROLES: readonly string[] = ['sales_manager', 'admin'];

const stageIndex = (stage: Stage) => STAGES.indexOf(stage);

export const decide = (
  command: OpportunityCommand,
  state: Opportunity,
  context: DecisionContext,
): OpportunityEvent[] | Refusal => {
  if (command.type === 'OpenOpportunity') {
    if (state.status !== 'none') return refuse(opportunityRules.openedOnce, `Opportunity ${state.opportunityId} is already open`);
    if (command.amount.minor <= 0) return refuse(opportunityRules.positiveAmount, 'The amount must be greater than zero');
    const { opportunityId, customerId, title, ownerId, amount, leadId } = command;
    return [
      {
        type: 'OpportunityOpened',
        data: { opportunityId, customerId, title, ownerId, amount, stage: 'qualification', ...(leadId !== undefined ? { leadId } : {}) },
      },
    ];
  }
  if (state.status === 'none') return refuse(opportunityRules.closedIsFinal, 'The opportunity was never opened');
  if (state.status !== 'open') return refuse(opportunityRules.closedIsFinal, `The opportunity is already ${state.status}`);

  switch (command.type) {
    case 'ChangeStage': {
      if (command.stage === state.stage) {
        return refuse(opportunityRules.stageMustChange, `The opportunity is already in ${state.stage}`);
      }
      const backwards = stageIndex(command.stage) < stageIndex(state.stage);
      if (backwards && !command.reason?.trim()) {
        return refuse(opportunityRules.backwardsNeedsReason, `Moving from ${state.stage} back to ${command.stage} needs a reason`);
      }
      return [
        {
          type: 'OpportunityStageChanged',
          data: { opportunityId: state.opportunityId, from: state.stage, to: command.stage, ...(command.reason ? { reason: command.reason } : {}) },
        },
      ];
    }
    case 'WinOpportunity':
      return [
        {
          type: 'OpportunityWon',
          data: { opportunityId: state.opportunityId, customerId: state.customerId, amount: state.amount, ...(command.reason ? { reason: command.reason } : {}) },
        },
      ];
    case 'LoseOpportunity':
      return [{ type: 'OpportunityLost', data: { opportunityId: state.opportunityId, customerId: state.customerId, reason: command.reason } }];
    case 'RecordNeeds': {
      const needs = command.needs.filter((need) => need.trim());
      if (needs.length === 0) return refuse(opportunityRules.needsNamed, 'No need was named');
      const { proposedSolution } = command;
      return [
        {
          type: 'OpportunityNeedsRecorded',
          data: { opportunityId: state.opportunityId, needs, ...(proposedSolution !== undefined ? { proposedSolution } : {}) },
        },
      ];
    }
    case 'ReassignOwner': {
      if (!REASSIGNING_ROLES.includes(context.actor.role)) {
        return refuse(opportunityRules.reassignedByManager, `A ${context.actor.role} cannot reassign a deal`);
      }
      if (command.ownerId === state.ownerId) {
        return refuse(opportunityRules.reassignChangesOwner, `${state.ownerId} already owns the deal`);
      }
      return [
        {
          type: 'OpportunityReassigned',
          data: { opportunityId: state.opportunityId, from: state.ownerId, to: command.ownerId, ...(command.reason ? { reason: command.reason } : {}) },
        },
      ];
    }
    case 'LinkSource': {
      const { campaignId, partnerId } = command;
      if (!campaignId && !partnerId) return refuse(opportunityRules.sourceNamed, 'Name a campaign, a partner or both');
      return [
        {
          type: 'OpportunitySourceLinked',
          data: { opportunityId: state.opportunityId, ...(campaignId ? { campaignId } : {}), ...(partnerId ? { partnerId } : {}) },
        },
      ];
    }
    case 'RecordFeedback': {
      if (!command.feedback.trim()) return refuse(opportunityRules.feedbackInWords, 'Write down what the customer said');
      return [{ type: 'OpportunityFeedbackRecorded', data: { opportunityId: state.opportunityId, feedback: command.feedback, sentiment: command.sentiment } }];
    }
  }
};

export const opportunityDecider: Decider<Opportunity, OpportunityCommand, OpportunityEvent> = { initialState, evolve, decide };

export const opportunityAggregate: Aggregate<Opportunity, OpportunityCommand, OpportunityEvent> = {
  category: OPPORTUNITY_CATEGORY,
  name: 'Opportunity',
  streamId: opportunityStreamId,
  decider: opportunityDecider,
  events: opportunityEventSchemas,
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
