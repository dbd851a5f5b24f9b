import { z } from 'zod';
import { refuse, type Decider, type DecisionContext, type DomainEvent, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';

export const OPPORTUNITY_CATEGORY = 'opportunity';
export const opportunityStreamId = (opportunityId: string) => `${OPPORTUNITY_CATEGORY}-${opportunityId}`;

/** The sales stages in the order a deal moves through them. */
export const STAGES = ['qualification', 'discovery', 'proposal', 'negotiation'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

// Events

export const OpportunityOpenedData = z.object({
  opportunityId: z.string(),
  customerId: z.string(),
  title: z.string(),
  ownerId: z.string(),
  amount: Money,
  stage: Stage,
});

export const OpportunityStageChangedData = z.object({
  opportunityId: z.string(),
  from: Stage,
  to: Stage,
  reason: z.string().optional(),
});

export const OpportunityWonData = z.object({
  opportunityId: z.string(),
  customerId: z.string(),
  amount: Money,
  reason: z.string().optional(),
});

export const OpportunityLostData = z.object({
  opportunityId: z.string(),
  customerId: z.string(),
  reason: z.string(),
});

export const opportunityEventSchemas = {
  OpportunityOpened: OpportunityOpenedData,
  OpportunityStageChanged: OpportunityStageChangedData,
  OpportunityWon: OpportunityWonData,
  OpportunityLost: OpportunityLostData,
} as const;

export type OpportunityEvent =
  | DomainEvent<'OpportunityOpened', z.infer<typeof OpportunityOpenedData>>
  | DomainEvent<'OpportunityStageChanged', z.infer<typeof OpportunityStageChangedData>>
  | DomainEvent<'OpportunityWon', z.infer<typeof OpportunityWonData>>
  | DomainEvent<'OpportunityLost', z.infer<typeof OpportunityLostData>>;

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
};
export type ChangeStage = { type: 'ChangeStage'; stage: Stage; reason?: string };
export type WinOpportunity = { type: 'WinOpportunity'; reason?: string };
export type LoseOpportunity = { type: 'LoseOpportunity'; reason: string };

export type OpportunityCommand = OpenOpportunity | ChangeStage | WinOpportunity | LoseOpportunity;

export const opportunityRules = {
  openedOnce: { id: 'OPP-01', name: 'An opportunity is opened once' },
  closedIsFinal: { id: 'OPP-02', name: 'A won or lost opportunity takes no further change' },
  stageMustChange: { id: 'OPP-03', name: 'A stage change must move the deal' },
  backwardsNeedsReason: { id: 'OPP-04', name: 'Moving a deal back a stage needs a reason' },
  positiveAmount: { id: 'OPP-05', name: 'An opportunity is worth more than nothing' },
} as const satisfies Record<string, Rule>;

const stageIndex = (stage: Stage) => STAGES.indexOf(stage);

export const decide = (
  command: OpportunityCommand,
  state: Opportunity,
  _context: DecisionContext,
): OpportunityEvent[] | Refusal => {
  if (command.type === 'OpenOpportunity') {
    if (state.status !== 'none') return refuse(opportunityRules.openedOnce, `Opportunity ${state.opportunityId} is already open`);
    if (command.amount.minor <= 0) return refuse(opportunityRules.positiveAmount, 'The amount must be greater than zero');
    const { opportunityId, customerId, title, ownerId, amount } = command;
    return [{ type: 'OpportunityOpened', data: { opportunityId, customerId, title, ownerId, amount, stage: 'qualification' } }];
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
  }
};

export const opportunityDecider: Decider<Opportunity, OpportunityCommand, OpportunityEvent> = { initialState, evolve, decide };
