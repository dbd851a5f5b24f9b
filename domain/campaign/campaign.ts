import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type EventOf, type NoFacts, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';

/**
 * A marketing campaign (articles 30-33): what it is, through which channel, with what budget and
 * over which days, and what it cost as the costs come in. Leads and deals name it, and the
 * analysts weigh what it brought against what it cost.
 */
export const CAMPAIGN_CATEGORY = 'campaign';
export const campaignStreamId = (campaignId: string) => `${CAMPAIGN_CATEGORY}-${campaignId}`;

export const CAMPAIGN_CHANNELS = ['event', 'webinar', 'ads', 'email', 'partner', 'content', 'other'] as const;
export const CampaignChannel = z.enum(CAMPAIGN_CHANNELS);
export type CampaignChannel = z.infer<typeof CampaignChannel>;

/** The company days a campaign runs, both included. */
export const CampaignWindow = z.object({ from: z.iso.date(), to: z.iso.date() });
export type CampaignWindow = z.infer<typeof CampaignWindow>;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const campaignEventSchemas = {
  CampaignLaunched: z.object({
    campaignId: z.string(),
    name: z.string(),
    channel: CampaignChannel,
    budget: Money,
    window: CampaignWindow,
    launchedBy: z.string(),
  }),
  CampaignCostRecorded: z.object({
    campaignId: z.string(),
    costId: z.string(),
    amount: Money,
    note: z.string(),
    recordedBy: z.string(),
    recordedAt: z.iso.datetime(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type CampaignEvent = EventOf<typeof campaignEventSchemas>;

// State

export type Campaign =
  | { status: 'none' }
  | {
      status: 'launched';
      campaignId: string;
      name: string;
      channel: CampaignChannel;
      budget: Money;
      window: CampaignWindow;
      /** Every cost id recorded, so a cost is never counted twice. */
      costIds: readonly string[];
    };

export const initialState = (): Campaign => ({ status: 'none' });

export const evolve = (state: Campaign, event: CampaignEvent): Campaign => {
  switch (event.type) {
    case 'CampaignLaunched': {
      const { campaignId, name, channel, budget, window } = event.data;
      return { status: 'launched', campaignId, name, channel, budget, window, costIds: [] };
    }
    case 'CampaignCostRecorded':
      return state.status === 'none' ? state : { ...state, costIds: [...state.costIds, event.data.costId] };
  }
};

// Commands

export type LaunchCampaign = { type: 'LaunchCampaign'; campaignId: string; name: string; channel: CampaignChannel; budget: Money; window: CampaignWindow };
export type RecordCampaignCost = { type: 'RecordCampaignCost'; costId: string; amount: Money; note: string };

export type CampaignCommand = LaunchCampaign | RecordCampaignCost;

export const campaignRules = {
  launchedOnce: { id: 'CPN-01', name: 'A campaign is launched once' },
  named: { id: 'CPN-02', name: 'A campaign has a name' },
  windowInOrder: { id: 'CPN-03', name: "A campaign's window ends on or after the day it starts" },
  budgetNotNegative: { id: 'CPN-04', name: "A campaign's budget is not negative" },
  campaignMustExist: { id: 'CPN-05', name: 'Only a launched campaign takes costs' },
  costPositive: { id: 'CPN-06', name: "A cost is more than nothing, in the currency of the campaign's budget" },
  costExplained: { id: 'CPN-07', name: 'A cost says what it paid for' },
  costOnce: { id: 'CPN-08', name: 'A cost is recorded once' },
} as const satisfies Record<string, Rule>;

export const decide = decideByCommand<Campaign, CampaignCommand, CampaignEvent, NoFacts<CampaignCommand>>({
  LaunchCampaign: ({ campaignId, name, channel, budget, window }, state, context) => {
    if (state.status !== 'none') return refuse(campaignRules.launchedOnce, `Campaign ${state.campaignId} is already launched`);
    if (!name.trim()) return refuse(campaignRules.named, 'The campaign has no name');
    if (window.to < window.from) return refuse(campaignRules.windowInOrder, `The window ends on ${window.to}, before it starts on ${window.from}`);
    if (budget.minor < 0) return refuse(campaignRules.budgetNotNegative, 'The budget is negative');
    return [{ type: 'CampaignLaunched', data: { campaignId, name, channel, budget, window, launchedBy: context.actor.id } }];
  },

  RecordCampaignCost: ({ costId, amount, note }, state, context) => {
    if (state.status === 'none') return refuse(campaignRules.campaignMustExist, 'The campaign was never launched');
    if (state.costIds.includes(costId)) return refuse(campaignRules.costOnce, `Cost ${costId} is already recorded`);
    if (amount.minor <= 0) return refuse(campaignRules.costPositive, 'The cost must be greater than zero');
    if (amount.currency !== state.budget.currency) {
      return refuse(campaignRules.costPositive, `The cost is in ${amount.currency}; the campaign is budgeted in ${state.budget.currency}`);
    }
    if (!note.trim()) return refuse(campaignRules.costExplained, 'Say what the cost paid for');
    return [
      {
        type: 'CampaignCostRecorded',
        data: { campaignId: state.campaignId, costId, amount, note, recordedBy: context.actor.id, recordedAt: context.now },
      },
    ];
  },
});

export const campaignDecider: Decider<Campaign, CampaignCommand, CampaignEvent> = { initialState, evolve, decide };

export const campaignAggregate: Aggregate<Campaign, CampaignCommand, CampaignEvent> = {
  category: CAMPAIGN_CATEGORY,
  name: 'Campaign',
  streamId: campaignStreamId,
  decider: campaignDecider,
  events: campaignEventSchemas,
};
