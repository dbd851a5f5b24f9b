import { DEFAULT_COMPLAINT_SERVICE_LEVELS } from '../../domain/complaint/serviceLevels.js';
import { DEFAULT_CLAIM_LEXICON } from '../../domain/compliance/claimLexicon.js';
import { complianceRules } from '../../domain/compliance/ruleCatalogue.js';
import {
  DEFAULT_POLICY,
  POLICY_ID,
  policyAggregate,
  policyEventSchemas,
  policyInForce,
  supersessions,
  type Policy,
  type PolicyEvent,
  type PolicyContent,
  type PolicyFacts,
  type PolicyRevision,
  type PublishPolicyRevision,
} from '../../domain/policy/policy.js';
import type { Aggregate } from '../../domain/shared/aggregate.js';
import type { DecisionContext } from '../../domain/shared/decider.js';
import type { CommandEnvelope, CommandPipeline, CommandResult } from '../commandPipeline.js';
import { idFromKey } from '../ids.js';
import { policyRevisions } from '../policy/policyInForce.js';
import type { Clock } from '../ports/clock.js';
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

type PublishClaimLexicon = { type: 'PublishPolicyRevision'; changeNote: string };

const contentOf = ({ revision: _revision, effectiveFrom: _effectiveFrom, supersedes: _supersedes, publishedBy: _publishedBy, ...content }: PolicyRevision): PolicyContent => content;

/**
 * The revision in force at the decision, again, with the default claim lexicon, effective at once:
 * the content is read from the stream as the decision sees it, so a revision published meanwhile is
 * the one carried forward.
 */
const carriedForwardWithClaimLexicon: Aggregate<Policy, PublishClaimLexicon, PolicyEvent, PolicyFacts> = {
  ...policyAggregate,
  decider: {
    ...policyAggregate.decider,
    decide: (command, state, context) => {
      const inForce = policyInForce(state.revisions, context.now);
      const content = inForce ? contentOf(inForce) : DEFAULT_POLICY;
      return policyAggregate.decider.decide(
        { ...content, type: 'PublishPolicyRevision', changeNote: command.changeNote, claims: DEFAULT_CLAIM_LEXICON, effectiveFrom: context.now },
        state,
        context,
      );
    },
  },
};

/** A revision's content completed with what complaints need: the default service levels and CMP-10's default setting, where it has none. */
const withComplaintService = (content: PolicyContent, changeNote: string): PolicyContent => {
  const { promisesNotComplainedOf } = complianceRules;
  const complaintSetting = DEFAULT_POLICY.rules[promisesNotComplainedOf.id];
  return {
    ...content,
    changeNote,
    complaintService: content.complaintService ?? DEFAULT_COMPLAINT_SERVICE_LEVELS,
    rules: { ...(complaintSetting ? { [promisesNotComplainedOf.id]: complaintSetting } : {}), ...content.rules },
  };
};

/**
 * The revision in force at the decision, republished at once with the complaint service levels; it
 * supersedes every revision still scheduled, which are published again after it, each completed the same way.
 */
const complaintServiceAtDecision: Aggregate<Policy, { type: 'PublishPolicyRevision' }, PolicyEvent, PolicyFacts> = {
  ...policyAggregate,
  decider: {
    ...policyAggregate.decider,
    decide: (command, state, context) => {
      const inForce = policyInForce(state.revisions, context.now);
      if (!inForce) throw new Error(`No policy revision is in force at ${context.now} to add the complaint service levels to`);
      const superseded = supersessions(state.revisions);
      const scheduled = state.revisions.filter((revision) => !superseded.has(revision.revision) && Date.parse(revision.effectiveFrom) > Date.parse(context.now));
      const changeNote = `Complaint service levels and CMP-10 added to revision ${inForce.revision}, which had none`;
      return policyAggregate.decider.decide(
        {
          ...command,
          ...withComplaintService(contentOf(inForce), changeNote),
          effectiveFrom: context.now,
          ...(scheduled.length > 0 ? { supersedes: scheduled.map((revision) => revision.revision) } : {}),
        },
        state,
        context,
      );
    },
  },
};

/** A scheduled revision published again: at its own instant, or at once if that has passed meanwhile. */
const republishedAtDecision: Aggregate<Policy, PublishPolicyRevision, PolicyEvent, PolicyFacts> = {
  ...policyAggregate,
  decider: {
    ...policyAggregate.decider,
    decide: (command, state, context) =>
      policyAggregate.decider.decide({ ...command, effectiveFrom: Date.parse(command.effectiveFrom) < Date.parse(context.now) ? context.now : command.effectiveFrom }, state, context),
  },
};

/** Fixed, so that restarts and processes starting together add the complaint service levels once. */
const COMPLAINT_SERVICE_COMMAND = idFromKey('policy', 'complaint service levels');

/**
 * The company's sales policy (articles 41-44), one revision after another on one stream. A revision
 * takes effect at most `horizonDays` after it is published (POL-08), counted from the decision's clock reading.
 */
export const policyCommands = (pipeline: CommandPipeline, eventStore: EventStore, horizonDays: number, clock: Clock) => {
  const policy = new AggregateCommands(pipeline, policyAggregate);
  const atOnce = new AggregateCommands(pipeline, publishedAtDecision);
  const withClaimLexicon = new AggregateCommands(pipeline, carriedForwardWithClaimLexicon);
  const completing = new AggregateCommands(pipeline, complaintServiceAtDecision);
  const republishing = new AggregateCommands(pipeline, republishedAtDecision);
  const system = (commandId: string) => ({ commandId, actor: POLICY_PUBLISHER, correlationId: COMPLAINT_SERVICE_COMMAND });
  const writtenBy = async (result: CommandResult) => (await eventStore.readStream(policyAggregate.streamId(POLICY_ID), { fromRevision: result.revision, maxCount: 1 }))[0];
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

    /**
     * The migration for a store whose policy predates complaints: when no revision holds the
     * complaint service levels, the revision in force is published again at once with the default
     * ones, superseding any revision still scheduled, and each of those is published again after it,
     * completed the same way. Every step has a fixed command id, so a restart or a process starting
     * at the same moment replays it, and one cut short is finished at the next start.
     */
    async addComplaintService(): Promise<void> {
      const history = await eventStore.readStream(policyAggregate.streamId(POLICY_ID));
      const revisions = history.map((event) => policyEventSchemas.PolicyRevisionPublished.parse(event.data));
      const migrated = history.find((event) => event.metadata.commandId === COMPLAINT_SERVICE_COMMAND);
      if (!migrated && (revisions.length === 0 || revisions.some((revision) => revision.complaintService))) return;
      const completed = migrated ?? (await writtenBy(await completing.act(POLICY_ID, { type: 'PublishPolicyRevision' }, system(COMPLAINT_SERVICE_COMMAND), { facts })));
      const replaced = new Set(policyEventSchemas.PolicyRevisionPublished.parse(completed?.data).supersedes ?? []);
      const scheduled = revisions.filter((revision) => replaced.has(revision.revision)).sort((a, b) => Date.parse(a.effectiveFrom) - Date.parse(b.effectiveFrom) || a.revision - b.revision);
      for (const revision of scheduled) {
        const note = `${revision.changeNote} (published again as scheduled, with the complaint service levels: it replaces revision ${revision.revision})`;
        await republishing.act(
          POLICY_ID,
          { type: 'PublishPolicyRevision', ...withComplaintService(contentOf(revision), note), effectiveFrom: revision.effectiveFrom },
          system(idFromKey('policy', `complaint service levels, revision ${revision.revision} again`)),
          { facts },
        );
      }
    },

    /**
     * For a store whose revision in force was published before revisions carried a claim lexicon:
     * publishes it again, effective at once, with the default lexicon, so the words that judge
     * claims are on record in the revision every verdict names. Answers the new revision's number,
     * or undefined when there was nothing to do. Idempotent across restarts (the revision in force
     * then has a lexicon) and across processes starting together (the command id is fixed: the
     * loser finds the winner's event and replays it). A revision still scheduled keeps this from
     * taking effect before it (POL-03); until one with a lexicon is published, revisions without
     * one are read with the default, so every verdict is the same either way.
     */
    async publishClaimLexicon(): Promise<number | undefined> {
      const revisions = await policyRevisions(eventStore);
      const now = clock.now();
      const inForce = policyInForce(revisions, now);
      if (!inForce || inForce.claims) return undefined;
      const superseded = supersessions(revisions);
      if (revisions.some((revision) => !superseded.has(revision.revision) && Date.parse(revision.effectiveFrom) > Date.parse(now))) return undefined;
      const commandId = idFromKey('policy', `claim lexicon for revision ${inForce.revision}`);
      const changeNote = `Revision ${inForce.revision} again, with the claim detector's default lexicon and structures written into it (CMP-01)`;
      const result = await withClaimLexicon.act(POLICY_ID, { type: 'PublishPolicyRevision', changeNote }, { commandId, actor: POLICY_PUBLISHER, correlationId: commandId }, { facts });
      const [published] = await eventStore.readStream(policyAggregate.streamId(POLICY_ID), { fromRevision: result.revision, maxCount: 1 });
      return policyEventSchemas.PolicyRevisionPublished.parse(published?.data).revision;
    },
  };
};

export type PolicyCommands = ReturnType<typeof policyCommands>;
