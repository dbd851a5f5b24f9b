import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';
import { Period } from '../shared/period.js';
import { actsForOwner, SALES_ROLES, type RosterEntry } from '../team/ownership.js';

/**
 * A sales target (articles 15, 20, 21): what a rep, a team or a region is to reach in a month,
 * quarter or year, on one measure. One target per subject, period and measure: its id derives
 * from them, so a second is refused by the stream itself. A team's target is its own figure,
 * not the sum of its reps'.
 */
export const TARGET_CATEGORY = 'target';
export const targetStreamId = (targetId: string) => `${TARGET_CATEGORY}-${targetId}`;

export const TargetSubjectKind = z.enum(['rep', 'team', 'region']);
export type TargetSubjectKind = z.infer<typeof TargetSubjectKind>;
export const TargetSubject = z.object({ kind: TargetSubjectKind, id: z.string() });
export type TargetSubject = z.infer<typeof TargetSubject>;

/** bookings: order totals; gross_margin: price less unit cost; collected: payments less refunds; new_customers: customers whose first order it is. */
export const TargetMetric = z.enum(['bookings', 'gross_margin', 'new_customers', 'collected']);
export type TargetMetric = z.infer<typeof TargetMetric>;

/** The measures counted in money; new customers are counted in customers. */
const MONEY_METRICS: readonly TargetMetric[] = ['bookings', 'gross_margin', 'collected'];
export const isMoneyMetric = (metric: TargetMetric) => MONEY_METRICS.includes(metric);

/** The natural key of a target: the application derives the target's id from it. */
export const targetKey = (subject: TargetSubject, period: string, metric: TargetMetric) => `${subject.kind}:${subject.id}|${period}|${metric}`;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

/** A figure to reach: an amount for a money measure, a count for new customers. */
const Figure = { amount: Money.optional(), count: z.number().int().optional() };

export const targetEventSchemas = {
  TargetSet: z.object({
    targetId: z.string(),
    subject: TargetSubject,
    period: Period,
    metric: TargetMetric,
    ...Figure,
    setBy: z.string(),
  }),
  TargetRevised: z.object({
    targetId: z.string(),
    subject: TargetSubject,
    period: Period,
    metric: TargetMetric,
    ...Figure,
    reason: z.string(),
    revisedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type TargetEvent = EventOf<typeof targetEventSchemas>;

// State

export type Target =
  | { status: 'none' }
  | { status: 'set'; targetId: string; subject: TargetSubject; period: string; metric: TargetMetric; amount?: Money; count?: number };

export const initialState = (): Target => ({ status: 'none' });

const figureOf = ({ amount, count }: { amount?: Money | undefined; count?: number | undefined }) => ({
  ...(amount !== undefined ? { amount } : {}),
  ...(count !== undefined ? { count } : {}),
});

export const evolve = (state: Target, event: TargetEvent): Target => {
  switch (event.type) {
    case 'TargetSet': {
      const { targetId, subject, period, metric } = event.data;
      return { status: 'set', targetId, subject, period, metric, ...figureOf(event.data) };
    }
    case 'TargetRevised':
      if (state.status === 'none') return state;
      return { status: 'set', targetId: state.targetId, subject: state.subject, period: state.period, metric: state.metric, ...figureOf(event.data) };
  }
};

// Commands

export type SetTarget = { type: 'SetTarget'; targetId: string; subject: TargetSubject; period: string; metric: TargetMetric; amount?: Money; count?: number };
export type ReviseTarget = { type: 'ReviseTarget'; amount?: Money; count?: number; reason: string };

export type TargetCommand = SetTarget | ReviseTarget;

/**
 * Who the target is for, as the application found them: the rep's roster entry, whether a team
 * has a seller on the roster, and the caller's own roster entry (a manager sets their own team's).
 */
export type SubjectFacts = {
  readonly rep?: RosterEntry | undefined;
  readonly teamKnown?: boolean;
  readonly setter: { readonly team?: string } | undefined;
};

export type TargetFacts = {
  readonly SetTarget: SubjectFacts;
  readonly ReviseTarget: SubjectFacts;
};

export const targetRules = {
  setOnce: { id: 'TGT-01', name: 'A subject has one target per period and measure; a change is a revision' },
  knownSubject: { id: 'TGT-02', name: 'A target is for a seller on the roster, a team with sellers on it, or a named region' },
  figureForMetric: { id: 'TGT-03', name: 'A money measure takes an amount, new customers a count' },
  positiveFigure: { id: 'TGT-04', name: 'A target is above zero' },
  setByThoseAbove: { id: 'TGT-05', name: "A rep's target is set by their manager or an admin, a team's by its manager or an admin, a region's by an admin; never one's own" },
  revisionExplained: { id: 'TGT-06', name: 'A revision changes the figure and says why' },
  revisedOnceSet: { id: 'TGT-07', name: 'Only a target that was set can be revised' },
} as const satisfies Record<string, Rule>;

/** TGT-03, TGT-04: the figure fits the measure and is above zero. */
const figureProblem = (metric: TargetMetric, { amount, count }: { amount?: Money | undefined; count?: number | undefined }): Refusal | undefined => {
  if (isMoneyMetric(metric)) {
    if (amount === undefined || count !== undefined) return refuse(targetRules.figureForMetric, `A ${metric} target takes an amount and no count`);
    if (amount.minor <= 0) return refuse(targetRules.positiveFigure, `${amount.minor} ${amount.currency} minor units is not a target`);
    return undefined;
  }
  if (count === undefined || amount !== undefined) return refuse(targetRules.figureForMetric, `A ${metric} target takes a count and no amount`);
  if (count <= 0) return refuse(targetRules.positiveFigure, `${count} new customers is not a target`);
  return undefined;
};

/** TGT-05: a rep's manager for the rep, a manager for their own team, an admin for anyone; never the subject themselves. */
const mayTarget = (actor: DecisionContext['actor'], subject: TargetSubject, facts: SubjectFacts): Refusal | undefined => {
  if (subject.kind === 'rep' && subject.id === actor.id) return refuse(targetRules.setByThoseAbove, `${actor.id} cannot set their own target`);
  if (actor.role === 'admin') return undefined;
  const allowed =
    subject.kind === 'rep'
      ? actor.role === 'sales_manager' && actsForOwner(actor, subject.id, facts.rep)
      : subject.kind === 'team' && actor.role === 'sales_manager' && facts.setter?.team === subject.id;
  return allowed ? undefined : refuse(targetRules.setByThoseAbove, `A ${actor.role} (${actor.id}) cannot set the target of ${subject.kind} ${subject.id}`);
};

export const decide = decideByCommand<Target, TargetCommand, TargetEvent, TargetFacts>({
  SetTarget: (command, state, context) => {
    const { targetId, subject, period, metric } = command;
    if (state.status !== 'none') return refuse(targetRules.setOnce, `${subject.kind} ${subject.id} already has a ${metric} target for ${period}`);
    if (!subject.id.trim()) return refuse(targetRules.knownSubject, `Name the ${subject.kind}`);
    if (subject.kind === 'rep') {
      if (!context.rep) return refuse(targetRules.knownSubject, `${subject.id} is not on the sales roster`);
      if (!SALES_ROLES.includes(context.rep.role)) return refuse(targetRules.knownSubject, `${subject.id} is on the roster as a ${context.rep.role}, not a seller`);
    }
    if (subject.kind === 'team' && !context.teamKnown) return refuse(targetRules.knownSubject, `No seller on the roster is in team ${subject.id}`);
    const figure = figureProblem(metric, command);
    if (figure) return figure;
    const who = mayTarget(context.actor, subject, context);
    if (who) return who;
    return [{ type: 'TargetSet', data: { targetId, subject, period, metric, ...figureOf(command), setBy: context.actor.id } }];
  },

  ReviseTarget: (command, state, context) => {
    if (state.status === 'none') return refuse(targetRules.revisedOnceSet, 'The target was never set');
    const { targetId, subject, period, metric } = state;
    const figure = figureProblem(metric, command);
    if (figure) return figure;
    const who = mayTarget(context.actor, subject, context);
    if (who) return who;
    if (!command.reason.trim()) return refuse(targetRules.revisionExplained, 'Say why the target changes');
    const same = command.amount !== undefined ? command.amount.minor === state.amount?.minor && command.amount.currency === state.amount.currency : command.count === state.count;
    if (same) return refuse(targetRules.revisionExplained, 'The target already has that figure');
    return [{ type: 'TargetRevised', data: { targetId, subject, period, metric, ...figureOf(command), reason: command.reason, revisedBy: context.actor.id } }];
  },
});

export const targetDecider: Decider<Target, TargetCommand, TargetEvent, TargetFacts> = { initialState, evolve, decide };

export const targetAggregate: Aggregate<Target, TargetCommand, TargetEvent, TargetFacts> = {
  category: TARGET_CATEGORY,
  name: 'Target',
  streamId: targetStreamId,
  decider: targetDecider,
  events: targetEventSchemas,
};
