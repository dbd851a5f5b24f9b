import { DEFAULT_POLICY, POLICY_ID, policyAggregate, policyEventSchemas, type Policy, type PolicyEvent, type PublishPolicyRevision } from '../../domain/policy/policy.js';
import type { Aggregate } from '../../domain/shared/aggregate.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { idFromKey } from '../ids.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Who publishes revision 1 at first start. */
const POLICY_PUBLISHER = { id: 'system', role: 'admin' } as const;

type PublishAtOnce = Omit<PublishPolicyRevision, 'effectiveFrom'>;

/** "Effective at once" is the instant of the decision, which only the pipeline's clock reading knows. */
const publishedAtDecision: Aggregate<Policy, PublishAtOnce, PolicyEvent> = {
  ...policyAggregate,
  decider: {
    ...policyAggregate.decider,
    decide: (command, state, context) => policyAggregate.decider.decide({ ...command, effectiveFrom: context.now }, state, context),
  },
};

/** The company's sales policy (articles 41-44), one revision after another on one stream. */
export const policyCommands = (pipeline: CommandPipeline, eventStore: EventStore) => {
  const policy = new AggregateCommands(pipeline, policyAggregate);
  const atOnce = new AggregateCommands(pipeline, publishedAtDecision);
  return {
    /** Publishes a revision; answers with the number it was given. */
    async publish(revision: Payload<PublishPolicyRevision>, envelope: CommandEnvelope) {
      const result = await policy.act(POLICY_ID, { type: 'PublishPolicyRevision', ...revision }, envelope);
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
      await atOnce.create(POLICY_ID, { type: 'PublishPolicyRevision', ...DEFAULT_POLICY }, { commandId, actor: POLICY_PUBLISHER, correlationId: commandId });
    },
  };
};

export type PolicyCommands = ReturnType<typeof policyCommands>;
