import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type EventOf, type NoFacts, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';
import { ComputedStatement, SourceRef } from './statementLine.js';

/**
 * One rep's incentive statement for one closed period (articles 22-24): every line names the
 * event it rests on, and the plan revision it was computed under. It is approved by the rep's
 * manager and by finance, then granted; it is never edited: a dispute resolved in the rep's
 * favour, a late payment or a cancellation lands on the next statement.
 */
export const INCENTIVE_STATEMENT_CATEGORY = 'incentivestatement';
export const incentiveStatementStreamId = (statementId: string) => `${INCENTIVE_STATEMENT_CATEGORY}-${statementId}`;

export const ApprovalStep = z.enum(['manager', 'finance']);
export type ApprovalStep = z.infer<typeof ApprovalStep>;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const incentiveStatementEventSchemas = {
  IncentiveCalculated: ComputedStatement.extend({ calculatedBy: z.string() }),
  /** A clawback line of the statement, as a fact of its own: what was taken back, from which deal, on which event. */
  IncentiveClawedBack: z.object({
    statementId: z.string(),
    repId: z.string(),
    lineId: z.string(),
    orderId: z.string(),
    amount: Money,
    source: SourceRef,
  }),
  IncentiveStatementApproved: z.object({
    statementId: z.string(),
    step: ApprovalStep,
    approvedBy: z.string(),
    approverRole: z.string(),
  }),
  IncentiveGranted: z.object({
    statementId: z.string(),
    repId: z.string(),
    period: z.string(),
    amount: Money,
    grantedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type IncentiveStatementEvent = EventOf<typeof incentiveStatementEventSchemas>;

// State

export type IncentiveStatement =
  | { status: 'none' }
  | {
      status: 'calculated' | 'granted';
      statementId: string;
      repId: string;
      managerId?: string;
      period: string;
      payable: Money;
      approvals: readonly { step: ApprovalStep; by: string }[];
    };

export const initialState = (): IncentiveStatement => ({ status: 'none' });

export const evolve = (state: IncentiveStatement, event: IncentiveStatementEvent): IncentiveStatement => {
  if (event.type === 'IncentiveCalculated') {
    const { statementId, repId, managerId, period, payable } = event.data;
    return { status: 'calculated', statementId, repId, ...(managerId !== undefined ? { managerId } : {}), period, payable, approvals: [] };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'IncentiveClawedBack':
      return state;
    case 'IncentiveStatementApproved':
      return { ...state, approvals: [...state.approvals, { step: event.data.step, by: event.data.approvedBy }] };
    case 'IncentiveGranted':
      return { ...state, status: 'granted' };
  }
};

// Commands

export type CalculateIncentive = { type: 'CalculateIncentive'; statement: ComputedStatement };
/** The step taken: by default a sales manager's is the manager's, finance's the finance step, an admin's the first still open. */
export type ApproveStatement = { type: 'ApproveStatement'; step?: ApprovalStep };

export type IncentiveStatementCommand = CalculateIncentive | ApproveStatement;

export const incentiveStatementRules = {
  calculatedOnce: { id: 'INC-30', name: 'A statement is calculated once, by the period close' },
  calculatedFirst: { id: 'INC-31', name: 'Only a calculated statement is approved' },
  notOwnStatement: { id: 'INC-32', name: 'No one approves their own statement' },
  managerStep: { id: 'INC-33', name: "The manager's approval is the rep's manager's, or an admin's" },
  financeStep: { id: 'INC-34', name: "Finance's approval is taken by finance or an admin, never by the rep's own manager" },
  twoPeople: { id: 'INC-35', name: 'Each approval is given once, and by two different people' },
  grantedIsFinal: { id: 'INC-36', name: 'A granted statement takes no further approval' },
} as const satisfies Record<string, Rule>;

/** Who runs the period close: the statements are the system's computation, not anyone's say. */
export const PERIOD_CLOSER_ROLES: readonly string[] = ['system'];

const stepFor = (role: string, given: ApprovalStep | undefined, taken: readonly ApprovalStep[]): ApprovalStep | undefined => {
  if (given) return given;
  if (role === 'sales_manager') return 'manager';
  if (role === 'finance') return 'finance';
  return ApprovalStep.options.find((step) => !taken.includes(step));
};

export const decide = decideByCommand<IncentiveStatement, IncentiveStatementCommand, IncentiveStatementEvent, NoFacts<IncentiveStatementCommand>>({
  CalculateIncentive: ({ statement }, state, context) => {
    if (state.status !== 'none') return refuse(incentiveStatementRules.calculatedOnce, `Statement ${state.statementId} is already calculated`);
    if (!PERIOD_CLOSER_ROLES.includes(context.actor.role)) return refuse(incentiveStatementRules.calculatedOnce, `A ${context.actor.role} does not calculate statements`);
    const events: IncentiveStatementEvent[] = [{ type: 'IncentiveCalculated', data: { ...statement, calculatedBy: context.actor.id } }];
    for (const line of statement.lines) {
      if (line.kind !== 'clawback' || line.orderId === undefined) continue;
      const { lineId, orderId, amount, source } = line;
      events.push({ type: 'IncentiveClawedBack', data: { statementId: statement.statementId, repId: statement.repId, lineId, orderId, amount, source } });
    }
    return events;
  },

  ApproveStatement: (command, state, context): IncentiveStatementEvent[] | Refusal => {
    if (state.status === 'none') return refuse(incentiveStatementRules.calculatedFirst, 'The statement was never calculated');
    if (state.status === 'granted') return refuse(incentiveStatementRules.grantedIsFinal, `Statement ${state.statementId} is already granted`);
    const { id: actorId, role } = context.actor;
    if (actorId === state.repId) return refuse(incentiveStatementRules.notOwnStatement, `${actorId} is the rep the statement pays`);
    const taken = state.approvals.map((approval) => approval.step);
    const step = stepFor(role, command.step, taken);
    if (!step) return refuse(incentiveStatementRules.twoPeople, 'Both approvals are given');
    if (step === 'manager' && !(role === 'admin' || (role === 'sales_manager' && actorId === state.managerId))) {
      return refuse(incentiveStatementRules.managerStep, `${actorId} is not ${state.repId}'s manager${state.managerId ? ` (${state.managerId})` : ''}`);
    }
    if (step === 'finance' && !['finance', 'admin'].includes(role)) return refuse(incentiveStatementRules.financeStep, `A ${role} cannot give finance's approval`);
    if (step === 'finance' && actorId === state.managerId) return refuse(incentiveStatementRules.financeStep, `${actorId} manages ${state.repId}`);
    if (taken.includes(step)) return refuse(incentiveStatementRules.twoPeople, `The ${step} approval is already given`);
    if (state.approvals.some((approval) => approval.by === actorId)) return refuse(incentiveStatementRules.twoPeople, `${actorId} already gave the other approval`);
    const approved: IncentiveStatementEvent = { type: 'IncentiveStatementApproved', data: { statementId: state.statementId, step, approvedBy: actorId, approverRole: role } };
    if (taken.length === 0) return [approved];
    const { statementId, repId, period, payable } = state;
    return [approved, { type: 'IncentiveGranted', data: { statementId, repId, period, amount: payable, grantedBy: actorId } }];
  },
});

export const incentiveStatementDecider: Decider<IncentiveStatement, IncentiveStatementCommand, IncentiveStatementEvent> = { initialState, evolve, decide };

export const incentiveStatementAggregate: Aggregate<IncentiveStatement, IncentiveStatementCommand, IncentiveStatementEvent> = {
  category: INCENTIVE_STATEMENT_CATEGORY,
  name: 'Incentive statement',
  streamId: incentiveStatementStreamId,
  decider: incentiveStatementDecider,
  events: incentiveStatementEventSchemas,
};
