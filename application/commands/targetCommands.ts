import { targetAggregate, targetKey, type ReviseTarget, type SetTarget, type SubjectFacts, type Target, type TargetSubject } from '../../domain/target/target.js';
import type { DecisionContext } from '../../domain/shared/decider.js';
import { repAggregate, repFacts } from '../../domain/team/rep.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { idFromKey } from '../ids.js';
import { stateOf } from '../loadAggregate.js';
import type { EventStore } from '../ports/eventStore.js';
import type { SalesTeams } from '../ports/salesTeams.js';
import { rosterEntry } from '../roster.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** One target per subject, period and measure: the id derives from them, so the stream's own uniqueness keeps it one. */
export const targetIdFor = (subject: TargetSubject, period: string, metric: SetTarget['metric']) => idFromKey('target', targetKey(subject, period, metric));

/** Targets (articles 15, 20): set and revised for reps, teams and regions by those who run them. */
export const targetCommands = (pipeline: CommandPipeline, eventStore: EventStore, teams: SalesTeams) => {
  const targets = new AggregateCommands(pipeline, targetAggregate);

  /** Who the target is for, and the caller's own team, as the roster has them when the decision is taken. */
  const subjectFacts = async (subject: TargetSubject, { actor }: DecisionContext): Promise<SubjectFacts> => {
    const setter = await stateOf(eventStore, repAggregate, actor.id);
    const setterFacts = setter && repFacts(setter);
    return {
      ...(subject.kind === 'rep' ? { rep: await rosterEntry(eventStore, subject.id) } : {}),
      ...(subject.kind === 'team' ? { teamKnown: await teams.has(subject.id) } : {}),
      setter: setterFacts ? { team: setterFacts.team } : undefined,
    };
  };

  return {
    /** Answers the target's id with the result: a second target for the same subject, period and measure is 409. */
    async set(target: Omit<Payload<SetTarget>, 'targetId'>, envelope: CommandEnvelope) {
      const targetId = targetIdFor(target.subject, target.period, target.metric);
      const result = await targets.create(targetId, { type: 'SetTarget', targetId, ...target }, envelope, {
        facts: (_state, base) => subjectFacts(target.subject, base),
      });
      return { targetId, result };
    },
    revise: (targetId: string, revision: Payload<ReviseTarget>, envelope: CommandEnvelope) =>
      targets.act(targetId, { type: 'ReviseTarget', ...revision }, envelope, {
        facts: (state: Target, base) => (state.status === 'none' ? { setter: undefined } : subjectFacts(state.subject, base)),
      }),
  };
};

export type TargetCommands = ReturnType<typeof targetCommands>;
