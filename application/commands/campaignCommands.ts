import { campaignAggregate, type LaunchCampaign, type RecordCampaignCost } from '../../domain/campaign/campaign.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Marketing campaigns (articles 30-33): launched with a channel, budget and window; costs recorded against them. */
export const campaignCommands = (pipeline: CommandPipeline) => {
  const campaigns = new AggregateCommands(pipeline, campaignAggregate);
  return {
    launch: (campaign: Payload<LaunchCampaign>, envelope: CommandEnvelope) => campaigns.create(campaign.campaignId, { type: 'LaunchCampaign', ...campaign }, envelope),
    recordCost: (campaignId: string, cost: Payload<RecordCampaignCost>, envelope: CommandEnvelope) =>
      campaigns.act(campaignId, { type: 'RecordCampaignCost', ...cost }, envelope),
  };
};

export type CampaignCommands = ReturnType<typeof campaignCommands>;
