import { describe, expect, it } from 'vitest';
import { campaignDecider, campaignEventSchemas, campaignRules, campaignStreamId, type CampaignEvent, type LaunchCampaign } from '../../domain/campaign/campaign.js';
import { defaultContext, deciderSpecification } from '../support/deciderSpecification.js';

const spec = deciderSpecification(campaignDecider, { ...defaultContext, actor: { id: 'mgr-1', role: 'sales_manager' } });
const budget = { minor: 5_000_000, currency: 'CNY' };
const launch: LaunchCampaign = {
  type: 'LaunchCampaign',
  campaignId: 'camp-1',
  name: '零信任网络研讨会',
  channel: 'webinar',
  budget,
  window: { from: '2026-04-01', to: '2026-04-30' },
};
const launched: CampaignEvent = {
  type: 'CampaignLaunched',
  data: { campaignId: 'camp-1', name: '零信任网络研讨会', channel: 'webinar', budget, window: { from: '2026-04-01', to: '2026-04-30' }, launchedBy: 'mgr-1' },
};
const cost = { type: 'RecordCampaignCost' as const, costId: 'cost-1', amount: { minor: 1_200_000, currency: 'CNY' }, note: 'venue and streaming' };
const costRecorded: CampaignEvent = {
  type: 'CampaignCostRecorded',
  data: { campaignId: 'camp-1', costId: 'cost-1', amount: cost.amount, note: 'venue and streaming', recordedBy: 'mgr-1', recordedAt: defaultContext.now },
};

describe('Campaign', () => {
  it('lives in its own stream', () => expect(campaignStreamId('camp-1')).toBe('campaign-camp-1'));

  describe('launching', () => {
    it('launches with its channel, budget and window, naming who launched it', () => spec.given([]).when(launch).then([launched]));

    it('launches a one-day campaign with no budget', () =>
      spec
        .given([])
        .when({ ...launch, budget: { minor: 0, currency: 'CNY' }, window: { from: '2026-04-01', to: '2026-04-01' } })
        .then([{ type: 'CampaignLaunched', data: { ...launched.data, budget: { minor: 0, currency: 'CNY' }, window: { from: '2026-04-01', to: '2026-04-01' } } }]));

    it(`refuses a second launch (${campaignRules.launchedOnce.id})`, () => spec.given([launched]).when(launch).thenRefuses(campaignRules.launchedOnce));
    it(`refuses a campaign without a name (${campaignRules.named.id})`, () => spec.given([]).when({ ...launch, name: '  ' }).thenRefuses(campaignRules.named));
    it(`refuses a window that ends before it starts (${campaignRules.windowInOrder.id})`, () =>
      spec.given([]).when({ ...launch, window: { from: '2026-04-30', to: '2026-04-01' } }).thenRefuses(campaignRules.windowInOrder, /ends on 2026-04-01/));
    it(`refuses a negative budget (${campaignRules.budgetNotNegative.id})`, () =>
      spec.given([]).when({ ...launch, budget: { minor: -1, currency: 'CNY' } }).thenRefuses(campaignRules.budgetNotNegative));
  });

  describe('recording costs', () => {
    it('records a cost against the campaign, with who recorded it and when', () => spec.given([launched]).when(cost).then([costRecorded]));

    it('records a second cost beside the first', () =>
      spec
        .given([launched, costRecorded])
        .when({ ...cost, costId: 'cost-2' })
        .then([{ type: 'CampaignCostRecorded', data: { ...costRecorded.data, costId: 'cost-2' } }]));

    it(`refuses a cost for a campaign never launched (${campaignRules.campaignMustExist.id})`, () =>
      spec.given([]).when(cost).thenRefuses(campaignRules.campaignMustExist));
    it(`refuses the same cost twice (${campaignRules.costOnce.id})`, () => spec.given([launched, costRecorded]).when(cost).thenRefuses(campaignRules.costOnce));
    it(`refuses a cost of nothing, or in another currency than the budget (${campaignRules.costPositive.id})`, () => {
      spec.given([launched]).when({ ...cost, amount: { minor: 0, currency: 'CNY' } }).thenRefuses(campaignRules.costPositive, /greater than zero/);
      spec.given([launched]).when({ ...cost, amount: { minor: 100, currency: 'USD' } }).thenRefuses(campaignRules.costPositive, /budgeted in CNY/);
    });
    it(`refuses a cost that does not say what it paid for (${campaignRules.costExplained.id})`, () =>
      spec.given([launched]).when({ ...cost, note: ' ' }).thenRefuses(campaignRules.costExplained));
  });

  it('writes events that satisfy their stored schemas', () => {
    for (const event of [launched, costRecorded]) expect(() => campaignEventSchemas[event.type].parse(event.data)).not.toThrow();
  });
});
