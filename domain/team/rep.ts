import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { ROSTER_ROLES, SALES_ROLES } from './ownership.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';

/**
 * A member of the sales team (articles 9-13): who they are, their role and team, their manager,
 * and the training they passed with the product certifications it grants. Keyed by the id the
 * person acts under, so a command's actor finds their own record.
 */
export const REP_CATEGORY = 'rep';
export const repStreamId = (actorId: string) => `${REP_CATEGORY}-${actorId}`;

const instant = (iso: string) => Date.parse(iso);

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const repEventSchemas = {
  RepHired: z.object({
    actorId: z.string(),
    name: z.string(),
    team: z.string(),
    role: z.string(),
    managerId: z.string().optional(),
  }),
  RepRoleChanged: z.object({
    actorId: z.string(),
    from: z.string(),
    to: z.string(),
    reason: z.string().optional(),
  }),
  /** A move states the whole new arrangement: the team and the manager in it, if any. */
  RepTeamChanged: z.object({
    actorId: z.string(),
    fromTeam: z.string(),
    fromManagerId: z.string().optional(),
    team: z.string(),
    managerId: z.string().optional(),
  }),
  TrainingRecorded: z.object({
    actorId: z.string(),
    trainingId: z.string(),
    course: z.string(),
    passedAt: z.iso.datetime(),
    /** The skus the course certifies the rep to commit on. */
    certifies: z.array(z.string()),
    expiresAt: z.iso.datetime(),
    recordedBy: z.string(),
  }),
  RepOffboarded: z.object({
    actorId: z.string(),
    reason: z.string(),
  }),
  /** An admin's undoing of an offboarding, with the reason. */
  RepReinstated: z.object({
    actorId: z.string(),
    reason: z.string(),
    reinstatedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type RepEvent = EventOf<typeof repEventSchemas>;

// State

export type Certification = { readonly sku: string; readonly course: string; readonly passedAt: string; readonly expiresAt: string };

export type Rep =
  | { status: 'none' }
  | {
      status: 'active' | 'offboarded';
      actorId: string;
      name: string;
      team: string;
      role: string;
      managerId?: string;
      trainingIds: string[];
      certifications: Certification[];
    };

export const initialState = (): Rep => ({ status: 'none' });

export const evolve = (state: Rep, event: RepEvent): Rep => {
  if (event.type === 'RepHired') {
    const { actorId, name, team, role, managerId } = event.data;
    return { status: 'active', actorId, name, team, role, ...(managerId !== undefined ? { managerId } : {}), trainingIds: [], certifications: [] };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'RepRoleChanged':
      return { ...state, role: event.data.to };
    case 'RepTeamChanged': {
      const { managerId: _previous, ...rest } = state;
      const { team, managerId } = event.data;
      return { ...rest, team, ...(managerId !== undefined ? { managerId } : {}) };
    }
    case 'TrainingRecorded': {
      const { trainingId, course, passedAt, certifies, expiresAt } = event.data;
      return {
        ...state,
        trainingIds: [...state.trainingIds, trainingId],
        certifications: [...state.certifications, ...certifies.map((sku) => ({ sku, course, passedAt, expiresAt }))],
      };
    }
    case 'RepOffboarded':
      return { ...state, status: 'offboarded' };
    case 'RepReinstated':
      return { ...state, status: 'active' };
  }
};

/** What other decisions (commands by this actor, compliance checks, findings) may know of a rep. */
export type RepFacts = {
  readonly actorId: string;
  readonly name: string;
  readonly team: string;
  readonly role: string;
  readonly managerId?: string;
  readonly active: boolean;
  readonly certifications: readonly Certification[];
};

/** The facts of a rep, or undefined when the actor was never hired onto the roster. */
export const repFacts = (state: Rep): RepFacts | undefined => {
  if (state.status === 'none') return undefined;
  const { actorId, name, team, role, managerId, certifications } = state;
  return { actorId, name, team, role, ...(managerId !== undefined ? { managerId } : {}), active: state.status === 'active', certifications };
};

/** Whether a certification for the sku was held at that instant: passed by then, not yet expired. */
export const isCertified = (rep: Pick<RepFacts, 'certifications'>, sku: string, at: string) =>
  rep.certifications.some((cert) => cert.sku === sku && instant(cert.passedAt) <= instant(at) && instant(at) < instant(cert.expiresAt));

// Commands

export type HireRep = { type: 'HireRep'; actorId: string; name: string; team: string; role: string; managerId?: string };
export type ChangeRepRole = { type: 'ChangeRepRole'; role: string; reason?: string };
/** Names the manager in the new team; without one the rep has no manager until one is named. */
export type ChangeRepTeam = { type: 'ChangeRepTeam'; team: string; managerId?: string };
export type RecordTraining = { type: 'RecordTraining'; trainingId: string; course: string; passedAt: string; certifies: string[]; expiresAt: string };
export type OffboardRep = { type: 'OffboardRep'; reason: string };
export type ReinstateRep = { type: 'ReinstateRep'; reason: string };

export type RepCommand = HireRep | ChangeRepRole | ChangeRepTeam | RecordTraining | OffboardRep | ReinstateRep;

export const repRules = {
  hiredOnce: { id: 'REP-01', name: 'A rep is hired once' },
  hiredFirst: { id: 'REP-02', name: 'A rep is hired before anything else is recorded about them' },
  offboardedIsFinal: { id: 'REP-03', name: 'An offboarded rep takes no further change' },
  offboardedIssuesNothing: { id: 'REP-04', name: 'An offboarded rep can issue no command' },
  named: { id: 'REP-05', name: 'A rep has a name, a team and a role' },
  notOwnManager: { id: 'REP-06', name: 'No one is their own manager' },
  changeMustChange: { id: 'REP-07', name: 'A change of role or team must change something' },
  notOnOwnRecord: { id: 'REP-08', name: 'No one changes their own role, team or training record' },
  trainingRecordedOnce: { id: 'REP-09', name: 'A training is recorded once' },
  trainingDated: { id: 'REP-10', name: 'A course is passed by now and its certification expires after it was passed' },
  trainingNamed: { id: 'REP-11', name: 'A training names the course passed' },
  offboardingExplained: { id: 'REP-12', name: 'Offboarding a rep states the reason' },
  salesRolesOnly: { id: 'REP-13', name: 'The roster holds sales reps, sales managers and support agents only' },
  bySomeoneAbove: { id: 'REP-14', name: 'Only someone above a rep hires them, changes their role or offboards them: a manager for a rep, an admin for anyone' },
  reinstatedByAdmin: { id: 'REP-15', name: 'Only an admin reinstates an offboarded rep, and says why' },
  salesKeysOnly: { id: 'REP-16', name: 'Only an admin puts on the sales roster someone who also holds a key of a role outside sales' },
} as const satisfies Record<string, Rule>;

/**
 * Hiring is judged with the roles the configured API keys give the actor id: a manager who enrols
 * the admin's or an auditor's id as a rep could assign deals to it and offboard it in their name.
 * Someone who truly wears both hats is enrolled by an admin, on the record.
 */
export type HiringFacts = { readonly keyRoles: readonly string[] };

export type RepCommandFacts = {
  readonly HireRep: HiringFacts;
  readonly ChangeRepRole: unknown;
  readonly ChangeRepTeam: unknown;
  readonly RecordTraining: unknown;
  readonly OffboardRep: unknown;
  readonly ReinstateRep: unknown;
};

/**
 * The gate the application runs before any command: an offboarded rep issues none. The roster
 * binds only the roles it holds: an admin, a compliance officer, an auditor, finance or an analyst is
 * judged by their role alone, so no one on the roster can lock them out.
 */
export const actorMayAct = (actor: DecisionContext['actor'], rep: RepFacts | undefined): Refusal | undefined =>
  ROSTER_ROLES.includes(actor.role) && rep && !rep.active ? refuse(repRules.offboardedIssuesNothing, `${rep.actorId} was offboarded`) : undefined;

/** Who stands above whom on the roster: an admin above everyone on it, a sales manager above the sales reps. */
const ABOVE: Readonly<Record<string, readonly string[]>> = { admin: ROSTER_ROLES, sales_manager: ['sales_rep'] };

/** REP-14: the actor stands above both the rep as they are and the role they are given. */
const outranks = (actor: DecisionContext['actor'], ...roles: string[]) => roles.every((role) => (ABOVE[actor.role] ?? []).includes(role));

const salesRole = (role: string): Refusal | undefined =>
  ROSTER_ROLES.includes(role) ? undefined : refuse(repRules.salesRolesOnly, `A ${role} is not a sales role nor the service desk's; the roster holds ${ROSTER_ROLES.join(', ')}`);

export const decide = (command: RepCommand, state: Rep, context: DecisionContext & Partial<HiringFacts>): RepEvent[] | Refusal => {
  if (command.type === 'HireRep') {
    if (state.status !== 'none') return refuse(repRules.hiredOnce, `${state.actorId} is already on the roster`);
    const { actorId, name, team, role, managerId } = command;
    if (!name.trim() || !team.trim() || !role.trim()) return refuse(repRules.named, 'Name the rep, their team and their role');
    const notSales = salesRole(role);
    if (notSales) return notSales;
    const otherKey = (context.keyRoles ?? []).find((keyRole) => !SALES_ROLES.includes(keyRole));
    if (otherKey && context.actor.role !== 'admin') return refuse(repRules.salesKeysOnly, `${actorId} holds a ${otherKey} key: only an admin enrols them on the sales roster`);
    if (!outranks(context.actor, role)) return refuse(repRules.bySomeoneAbove, `A ${context.actor.role} cannot hire a ${role}`);
    if (managerId === actorId) return refuse(repRules.notOwnManager, `${actorId} cannot manage themselves`);
    return [{ type: 'RepHired', data: { actorId, name, team, role, ...(managerId !== undefined ? { managerId } : {}) } }];
  }
  if (state.status === 'none') return refuse(repRules.hiredFirst, 'The rep was never hired');
  const { actorId } = state;
  if (command.type === 'ReinstateRep') {
    if (context.actor.role !== 'admin') return refuse(repRules.reinstatedByAdmin, `A ${context.actor.role} cannot reinstate a rep`);
    if (state.status !== 'offboarded') return refuse(repRules.reinstatedByAdmin, `${actorId} is not offboarded`);
    if (!command.reason.trim()) return refuse(repRules.reinstatedByAdmin, 'Say why the rep is reinstated');
    return [{ type: 'RepReinstated', data: { actorId, reason: command.reason, reinstatedBy: context.actor.id } }];
  }
  if (state.status === 'offboarded') return refuse(repRules.offboardedIsFinal, `${actorId} was offboarded`);
  // A rep who could raise their own role or certify themselves would grant their own discount authority.
  const onOwnRecord = context.actor.id === actorId;

  switch (command.type) {
    case 'ChangeRepRole': {
      if (onOwnRecord) return refuse(repRules.notOnOwnRecord, `${actorId} cannot change their own role`);
      if (!command.role.trim()) return refuse(repRules.named, 'Name the new role');
      const notSales = salesRole(command.role);
      if (notSales) return notSales;
      if (command.role === state.role) return refuse(repRules.changeMustChange, `${actorId} is already a ${state.role}`);
      if (!outranks(context.actor, state.role, command.role)) {
        return refuse(repRules.bySomeoneAbove, `A ${context.actor.role} cannot make a ${state.role} a ${command.role}`);
      }
      return [{ type: 'RepRoleChanged', data: { actorId, from: state.role, to: command.role, ...(command.reason ? { reason: command.reason } : {}) } }];
    }
    case 'ChangeRepTeam': {
      if (onOwnRecord) return refuse(repRules.notOnOwnRecord, `${actorId} cannot move themselves`);
      const { team, managerId } = command;
      if (!team.trim()) return refuse(repRules.named, 'Name the new team');
      if (managerId === actorId) return refuse(repRules.notOwnManager, `${actorId} cannot manage themselves`);
      if (team === state.team && managerId === state.managerId) {
        return refuse(repRules.changeMustChange, `${actorId} is already in ${team} under ${managerId ?? 'no manager'}`);
      }
      return [
        {
          type: 'RepTeamChanged',
          data: {
            actorId,
            fromTeam: state.team,
            ...(state.managerId !== undefined ? { fromManagerId: state.managerId } : {}),
            team,
            ...(managerId !== undefined ? { managerId } : {}),
          },
        },
      ];
    }
    case 'RecordTraining': {
      if (onOwnRecord) return refuse(repRules.notOnOwnRecord, `${actorId} cannot record their own training`);
      const { trainingId, course, passedAt, certifies, expiresAt } = command;
      if (state.trainingIds.includes(trainingId)) return refuse(repRules.trainingRecordedOnce, `Training ${trainingId} is already recorded`);
      if (!course.trim()) return refuse(repRules.trainingNamed, 'Name the course');
      if (instant(passedAt) > instant(context.now)) return refuse(repRules.trainingDated, `Passed at ${passedAt}, which is still to come`);
      if (!(instant(expiresAt) > instant(passedAt))) {
        return refuse(repRules.trainingDated, `Expires at ${expiresAt}, not after it was passed at ${passedAt}`);
      }
      return [
        {
          type: 'TrainingRecorded',
          data: { actorId, trainingId, course, passedAt, certifies: [...new Set(certifies)], expiresAt, recordedBy: context.actor.id },
        },
      ];
    }
    case 'OffboardRep':
      if (!command.reason.trim()) return refuse(repRules.offboardingExplained, 'Say why the rep leaves');
      if (!outranks(context.actor, state.role)) return refuse(repRules.bySomeoneAbove, `A ${context.actor.role} cannot offboard a ${state.role}`);
      return [{ type: 'RepOffboarded', data: { actorId, reason: command.reason } }];
  }
};

export const repDecider: Decider<Rep, RepCommand, RepEvent, RepCommandFacts> = { initialState, evolve, decide };

export const repAggregate: Aggregate<Rep, RepCommand, RepEvent, RepCommandFacts> = {
  category: REP_CATEGORY,
  name: 'Rep',
  streamId: repStreamId,
  decider: repDecider,
  events: repEventSchemas,
};
