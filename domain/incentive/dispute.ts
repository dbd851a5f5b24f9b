import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';

/**
 * A rep's dispute of one line of their statement, resolved by finance. A dispute upheld with an
 * amount owed lands on the rep's next statement as an adjustment: the closed statement is never
 * edited. One dispute per line: its id derives from the statement and the line.
 */
export const INCENTIVE_DISPUTE_CATEGORY = 'incentivedispute';
export const incentiveDisputeStreamId = (disputeId: string) => `${INCENTIVE_DISPUTE_CATEGORY}-${disputeId}`;

export const DisputeOutcome = z.enum(['upheld', 'rejected']);
export type DisputeOutcome = z.infer<typeof DisputeOutcome>;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const incentiveDisputeEventSchemas = {
  IncentiveLineDisputed: z.object({
    disputeId: z.string(),
    statementId: z.string(),
    repId: z.string(),
    period: z.string(),
    lineId: z.string(),
    /** The statement's currency: what an upheld resolution is stated in. */
    currency: z.string(),
    reason: z.string(),
    disputedBy: z.string(),
  }),
  IncentiveDisputeResolved: z.object({
    disputeId: z.string(),
    statementId: z.string(),
    repId: z.string(),
    outcome: DisputeOutcome,
    /** Owed to the rep when upheld, in the statement's currency. */
    amount: Money.optional(),
    reason: z.string(),
    resolvedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type IncentiveDisputeEvent = EventOf<typeof incentiveDisputeEventSchemas>;

// State

export type IncentiveDispute =
  | { status: 'none' }
  | { status: 'open' | 'resolved'; disputeId: string; statementId: string; repId: string; currency: string };

export const initialState = (): IncentiveDispute => ({ status: 'none' });

export const evolve = (state: IncentiveDispute, event: IncentiveDisputeEvent): IncentiveDispute => {
  switch (event.type) {
    case 'IncentiveLineDisputed': {
      const { disputeId, statementId, repId, currency } = event.data;
      return { status: 'open', disputeId, statementId, repId, currency };
    }
    case 'IncentiveDisputeResolved':
      return state.status === 'none' ? state : { ...state, status: 'resolved' };
  }
};

// Commands

export type DisputeLine = { type: 'DisputeLine'; disputeId: string; lineId: string; reason: string };
export type ResolveDispute = { type: 'ResolveDispute'; outcome: DisputeOutcome; amount?: Money; reason: string };
export type IncentiveDisputeCommand = DisputeLine | ResolveDispute;

/** The statement disputed, as its stream records it. */
export type DisputedStatement = { readonly statementId: string; readonly repId: string; readonly period: string; readonly currency: string; readonly lineIds: readonly string[] };

export type IncentiveDisputeFacts = {
  readonly DisputeLine: { readonly statement: DisputedStatement };
  readonly ResolveDispute: unknown;
};

export const incentiveDisputeRules = {
  byTheRep: { id: 'INC-40', name: 'Only the rep a statement pays disputes its lines' },
  namesALine: { id: 'INC-41', name: 'A dispute names a line of the statement and says why' },
  disputedOnce: { id: 'INC-42', name: 'A line is disputed once' },
  resolvedByFinance: { id: 'INC-43', name: 'A dispute is resolved once, by finance or an admin, never by the rep' },
  resolutionStated: { id: 'INC-44', name: "A resolution says why; an upheld one states the amount owed, above zero and in the statement's currency, a rejected one none" },
} as const satisfies Record<string, Rule>;

const RESOLVING_ROLES: readonly string[] = ['finance', 'admin'];

export const decide = decideByCommand<IncentiveDispute, IncentiveDisputeCommand, IncentiveDisputeEvent, IncentiveDisputeFacts>({
  DisputeLine: ({ disputeId, lineId, reason }, state, { actor, statement }): IncentiveDisputeEvent[] | Refusal => {
    if (state.status !== 'none') return refuse(incentiveDisputeRules.disputedOnce, `Line ${lineId} is already disputed`);
    if (actor.id !== statement.repId) return refuse(incentiveDisputeRules.byTheRep, `${actor.id} is not ${statement.repId}`);
    if (!statement.lineIds.includes(lineId)) return refuse(incentiveDisputeRules.namesALine, `Statement ${statement.statementId} has no line ${lineId}`);
    if (!reason.trim()) return refuse(incentiveDisputeRules.namesALine, 'Say why the line is wrong');
    const { statementId, repId, period, currency } = statement;
    return [{ type: 'IncentiveLineDisputed', data: { disputeId, statementId, repId, period, lineId, currency, reason, disputedBy: actor.id } }];
  },

  ResolveDispute: ({ outcome, amount, reason }, state, { actor }): IncentiveDisputeEvent[] | Refusal => {
    if (state.status === 'none') return refuse(incentiveDisputeRules.resolvedByFinance, 'The line was never disputed');
    if (state.status === 'resolved') return refuse(incentiveDisputeRules.resolvedByFinance, `Dispute ${state.disputeId} is already resolved`);
    if (!RESOLVING_ROLES.includes(actor.role) || actor.id === state.repId) {
      return refuse(incentiveDisputeRules.resolvedByFinance, `${actor.id} (${actor.role}) cannot resolve a dispute of ${state.repId}'s`);
    }
    if (!reason.trim()) return refuse(incentiveDisputeRules.resolutionStated, 'Say why');
    if (outcome === 'rejected' && amount !== undefined) return refuse(incentiveDisputeRules.resolutionStated, 'A rejected dispute owes nothing');
    if (outcome === 'upheld' && (amount === undefined || amount.minor <= 0 || amount.currency !== state.currency)) {
      return refuse(incentiveDisputeRules.resolutionStated, `An upheld dispute states the amount owed, above zero, in ${state.currency}`);
    }
    const { disputeId, statementId, repId } = state;
    return [{ type: 'IncentiveDisputeResolved', data: { disputeId, statementId, repId, outcome, ...(amount ? { amount } : {}), reason, resolvedBy: actor.id } }];
  },
});

export const incentiveDisputeDecider: Decider<IncentiveDispute, IncentiveDisputeCommand, IncentiveDisputeEvent, IncentiveDisputeFacts> = { initialState, evolve, decide };

export const incentiveDisputeAggregate: Aggregate<IncentiveDispute, IncentiveDisputeCommand, IncentiveDisputeEvent, IncentiveDisputeFacts> = {
  category: INCENTIVE_DISPUTE_CATEGORY,
  name: 'Incentive dispute',
  streamId: incentiveDisputeStreamId,
  decider: incentiveDisputeDecider,
  events: incentiveDisputeEventSchemas,
};
