import { incentivePlanAggregate, type CreateIncentivePlan, type PublishPlanRevision } from '../../domain/incentive/plan.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import type { IncentivePlanDirectory } from '../ports/incentivePlans.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Incentive plans (article 22): created with whom they pay and when, then revised as versioned data by finance. */
export const incentivePlanCommands = (pipeline: CommandPipeline, directory: IncentivePlanDirectory) => {
  const plans = new AggregateCommands(pipeline, incentivePlanAggregate);
  return {
    create: (plan: Payload<CreateIncentivePlan>, envelope: CommandEnvelope) =>
      plans.create(plan.planId, { type: 'CreateIncentivePlan', ...plan }, envelope, {
        facts: async () => ({ otherPlans: (await directory.all()).filter((other) => other.planId !== plan.planId) }),
      }),
    publishRevision: (planId: string, revision: Payload<PublishPlanRevision>, envelope: CommandEnvelope) =>
      plans.act(planId, { type: 'PublishPlanRevision', ...revision }, envelope),
  };
};

export type IncentivePlanCommands = ReturnType<typeof incentivePlanCommands>;
