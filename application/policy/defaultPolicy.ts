import { DEFAULT_POLICY, POLICY_STREAM_ID, policyDecider, type Policy, type PolicyEvent, type PublishPolicyRevision } from '../../domain/policy/policy.js';
import type { Decider } from '../../domain/shared/decider.js';
import type { CommandPipeline } from '../commandPipeline.js';
import { idFromKey } from '../ids.js';
import type { EventStore } from '../ports/eventStore.js';

export const POLICY_PUBLISHER = { id: 'system', role: 'admin' } as const;

/** "Effective at once" is the instant of the decision, which only the pipeline's clock reading knows. */
const effectiveAtDecision: Decider<Policy, Omit<PublishPolicyRevision, 'effectiveFrom'>, PolicyEvent> = {
  ...policyDecider,
  decide: (command, state, context) => policyDecider.decide({ ...command, effectiveFrom: context.now }, state, context),
};

/**
 * Publishes the embedded default as revision 1, effective at once, when no policy was ever
 * published, so every check has a revision to judge by. The command id is fixed: processes
 * starting together race on one stream, and the loser finds the winner's event and replays.
 */
export const publishDefaultPolicy = async (eventStore: EventStore, pipeline: CommandPipeline): Promise<void> => {
  if ((await eventStore.readStream(POLICY_STREAM_ID, { maxCount: 1 })).length > 0) return;
  const commandId = idFromKey('policy', 'default revision 1');
  await pipeline.handle({
    streamId: POLICY_STREAM_ID,
    aggregate: 'Policy',
    aggregateId: 'company',
    decider: effectiveAtDecision,
    command: { type: 'PublishPolicyRevision', ...DEFAULT_POLICY },
    expects: 'new',
    envelope: { commandId, actor: POLICY_PUBLISHER, correlationId: commandId },
  });
};
