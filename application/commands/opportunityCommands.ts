import { customerAggregate } from '../../domain/customer/customer.js';
import {
  opportunityAggregate,
  type ChangeStage,
  type LinkSource,
  type LoseOpportunity,
  type OpenOpportunity,
  type ReassignOwner,
  type RecordFeedback,
  type RecordNeeds,
  type WinOpportunity,
} from '../../domain/opportunity/opportunity.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { mustExist } from '../loadAggregate.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** The pipeline of deals (articles 14-17): opened for a registered customer, moved through the stages, won or lost. */
export const opportunityCommands = (pipeline: CommandPipeline, eventStore: EventStore) => {
  const opportunities = new AggregateCommands(pipeline, opportunityAggregate);
  return {
    /** NotFound for a customer never registered. */
    async open(opportunity: Payload<OpenOpportunity>, envelope: CommandEnvelope) {
      await mustExist(eventStore, customerAggregate, opportunity.customerId);
      return opportunities.create(opportunity.opportunityId, { type: 'OpenOpportunity', ...opportunity }, envelope);
    },
    changeStage: (opportunityId: string, change: Payload<ChangeStage>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'ChangeStage', ...change }, envelope),
    win: (opportunityId: string, win: Payload<WinOpportunity>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'WinOpportunity', ...win }, envelope),
    lose: (opportunityId: string, loss: Payload<LoseOpportunity>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'LoseOpportunity', ...loss }, envelope),
    recordNeeds: (opportunityId: string, needs: Payload<RecordNeeds>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'RecordNeeds', ...needs }, envelope),
    reassign: (opportunityId: string, reassignment: Payload<ReassignOwner>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'ReassignOwner', ...reassignment }, envelope),
    linkSource: (opportunityId: string, source: Payload<LinkSource>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'LinkSource', ...source }, envelope),
    recordFeedback: (opportunityId: string, feedback: Payload<RecordFeedback>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'RecordFeedback', ...feedback }, envelope),
  };
};

export type OpportunityCommands = ReturnType<typeof opportunityCommands>;
