import { repAggregate, type ChangeRepRole, type ChangeRepTeam, type HireRep, type OffboardRep, type RecordTraining, type ReinstateRep } from '../../domain/team/rep.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** The roles the configured API keys give an actor id (none for an id no key carries). */
export type KeyRolesOf = (actorId: string) => readonly string[];

/** The sales team (articles 9-13): each rep's stream is named by the actor id their API key carries. */
export const repCommands = (pipeline: CommandPipeline, keyRolesOf: KeyRolesOf) => {
  const reps = new AggregateCommands(pipeline, repAggregate);
  return {
    hire: (rep: Payload<HireRep>, envelope: CommandEnvelope) =>
      reps.create(rep.actorId, { type: 'HireRep', ...rep }, envelope, { facts: () => ({ keyRoles: keyRolesOf(rep.actorId) }) }),
    recordTraining: (actorId: string, training: Payload<RecordTraining>, envelope: CommandEnvelope) =>
      reps.act(actorId, { type: 'RecordTraining', ...training }, envelope),
    changeRole: (actorId: string, change: Payload<ChangeRepRole>, envelope: CommandEnvelope) => reps.act(actorId, { type: 'ChangeRepRole', ...change }, envelope),
    changeTeam: (actorId: string, move: Payload<ChangeRepTeam>, envelope: CommandEnvelope) => reps.act(actorId, { type: 'ChangeRepTeam', ...move }, envelope),
    offboard: (actorId: string, offboarding: Payload<OffboardRep>, envelope: CommandEnvelope) =>
      reps.act(actorId, { type: 'OffboardRep', ...offboarding }, envelope),
    reinstate: (actorId: string, reinstatement: Payload<ReinstateRep>, envelope: CommandEnvelope) =>
      reps.act(actorId, { type: 'ReinstateRep', ...reinstatement }, envelope),
  };
};

export type RepCommands = ReturnType<typeof repCommands>;
