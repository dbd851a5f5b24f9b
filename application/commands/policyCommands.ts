import {
  DEFAULT_POLICY,
  POLICY_ID,
  policyAggregate,
  policyEventSchemas,
  type Policy,
  type PolicyEvent,
  type PolicyFacts,
  type PublishPolicyRevision,
} from '../../domain/policy/policy.js';
import type { Aggregate } from '../../domain/shared/aggregate.js';
import type { DecisionContext } from '../../domain/shared/decider.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { idFromKey } from '../ids.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Who publishes revision 1 at first start. */
const POLICY_PUBLISHER = { id: 'system', role: 'admin' } as const;

type PublishAtOnce = Omit<PublishPolicyRevision, 'effectiveFrom'>;

const DAY_MS = 86_400_000;

/** "Effective at once" is the instant of the decision, which only the pipeline's clock reading knows. */
const publishedAtDecision: Aggregate<Policy, PublishAtOnce, PolicyEvent, PolicyFacts> = {
  ...policyAggregate,
  decider: {
    ...policyAggregate.decider,
    decide: (command, state, context) => policyAggregate.decider.decide({ ...command, effectiveFrom: context.now }, state, context),
  },
};

/**
 * The company's sales policy (articles 41-44), one revision after another on one stream. A revision
 * takes effect at most `horizonDays` after it is published (POL-08), counted from the decision's clock reading.
 */
export const policyCommands = (pipeline: CommandPipeline, eventStore: EventStore, horizonDays: number) => {
  const policy = new AggregateCommands(pipeline, policyAggregate);
  const atOnce = new AggregateCommands(pipeline, publishedAtDecision);
  const facts = (_state: Policy, { now }: DecisionContext) => ({
    planningHorizon: { days: horizonDays, endsAt: new Date(Date.parse(now) + horizonDays * DAY_MS).toISOString() },
  });
  return {
    /** Publishes a revision, superseding the scheduled ones it names; answers with the number it was given. */
    async publish(revision: Payload<PublishPolicyRevision>, envelope: CommandEnvelope) {
      const result = await policy.act(POLICY_ID, { type: 'PublishPolicyRevision', ...revision }, envelope, { facts });
      const [published] = await eventStore.readStream(policyAggregate.streamId(POLICY_ID), { fromRevision: result.revision, maxCount: 1 });
      return { result, policyRevision: policyEventSchemas.PolicyRevisionPublished.parse(published?.data).revision };
    },

    /**
     * Publishes the embedded default as revision 1, effective at once, when no policy was ever
     * published, so every check has a revision to judge by. The command id is fixed: processes
     * starting together race on one stream, and the loser finds the winner's event and replays.
     */
    async publishDefault(): Promise<void> {
      if ((await eventStore.readStream(policyAggregate.streamId(POLICY_ID), { maxCount: 1 })).length > 0) return;
      const commandId = idFromKey('policy', 'default revision 1');
      await atOnce.create(POLICY_ID, { type: 'PublishPolicyRevision', ...DEFAULT_POLICY }, { commandId, actor: POLICY_PUBLISHER, correlationId: commandId }, { facts });
    },
  };
};

export type PolicyCommands = ReturnType<typeof policyCommands>;
