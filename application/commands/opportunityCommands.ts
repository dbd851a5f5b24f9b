import { customerAggregate } from '../../domain/customer/customer.js';
import {
  opportunityAggregate,
  type ChangeStage,
  type LinkRegistration,
  type LinkSource,
  type LoseOpportunity,
  type OpenOpportunity,
  type ReassignOwner,
  type RecordFeedback,
  type RecordNeeds,
  type Opportunity,
  type WinOpportunity,
} from '../../domain/opportunity/opportunity.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { registrationAggregate } from '../../domain/partner/registration.js';
import { NotFound } from '../errors.js';
import { mustExist, stateOf } from '../loadAggregate.js';
import type { EventStore } from '../ports/eventStore.js';
import { rosterEntry } from '../roster.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** The pipeline of deals (articles 14-17): opened for a registered customer, moved through the stages, won or lost. */
export const opportunityCommands = (pipeline: CommandPipeline, eventStore: EventStore) => {
  const opportunities = new AggregateCommands(pipeline, opportunityAggregate);
  /** Who the roster says owns the deal as it stands: the facts every command on an open deal is judged by. */
  const ownerOfDeal = async (deal: Opportunity) => ({ owner: deal.status === 'none' ? undefined : await rosterEntry(eventStore, deal.ownerId) });
  return {
    /** NotFound for a customer never registered. */
    async open(opportunity: Payload<OpenOpportunity>, envelope: CommandEnvelope) {
      await mustExist(eventStore, customerAggregate, opportunity.customerId);
      return opportunities.create(opportunity.opportunityId, { type: 'OpenOpportunity', ...opportunity }, envelope, {
        facts: async () => ({ owner: await rosterEntry(eventStore, opportunity.ownerId) }),
      });
    },
    changeStage: (opportunityId: string, change: Payload<ChangeStage>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'ChangeStage', ...change }, envelope, { facts: ownerOfDeal }),
    win: (opportunityId: string, win: Payload<WinOpportunity>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'WinOpportunity', ...win }, envelope, { facts: ownerOfDeal }),
    lose: (opportunityId: string, loss: Payload<LoseOpportunity>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'LoseOpportunity', ...loss }, envelope, { facts: ownerOfDeal }),
    recordNeeds: (opportunityId: string, needs: Payload<RecordNeeds>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'RecordNeeds', ...needs }, envelope, { facts: ownerOfDeal }),
    reassign: (opportunityId: string, reassignment: Payload<ReassignOwner>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'ReassignOwner', ...reassignment }, envelope, {
        facts: async (deal) => ({ ...(await ownerOfDeal(deal)), newOwner: await rosterEntry(eventStore, reassignment.ownerId) }),
      }),
    linkSource: (opportunityId: string, source: Payload<LinkSource>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'LinkSource', ...source }, envelope, { facts: ownerOfDeal }),
    recordFeedback: (opportunityId: string, feedback: Payload<RecordFeedback>, envelope: CommandEnvelope) =>
      opportunities.act(opportunityId, { type: 'RecordFeedback', ...feedback }, envelope, { facts: ownerOfDeal }),
    /** NotFound for a registration never submitted; whether it may be linked is the deal's rules' to judge (OPP-13 to OPP-15). */
    linkRegistration(opportunityId: string, link: Payload<LinkRegistration>, envelope: CommandEnvelope) {
      const registrationOf = async () => {
        const registration = await stateOf(eventStore, registrationAggregate, link.registrationId);
        if (!registration || registration.status === 'none') throw new NotFound(registrationAggregate.name, link.registrationId);
        const { registrationId, status, partnerId, customerId, expiresAt } = registration;
        return { registrationId, status, partnerId, ...(customerId !== undefined ? { customerId } : {}), expiresAt };
      };
      return opportunities.act(opportunityId, { type: 'LinkRegistration', ...link }, envelope, {
        facts: async (deal) => ({ ...(await ownerOfDeal(deal)), registration: await registrationOf() }),
      });
    },
  };
};

export type OpportunityCommands = ReturnType<typeof opportunityCommands>;
