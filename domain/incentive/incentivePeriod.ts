import { z } from 'zod';
import type { Aggregate } from '../shared/aggregate.js';
import { companyDay } from '../shared/calendar.js';
import { refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Period, periodBounds, periodsOverlap } from '../shared/period.js';

/**
 * The company's incentive periods as they are closed, on one stream, so that two closes cannot
 * both pass the checks: a period is closed once, after it has ended, in order, and never over a
 * period that shares its days. Each close records the log position its statements were computed
 * to, so a retry after a crash, or an audit, computes the same statements.
 */
export const INCENTIVE_PERIOD_CATEGORY = 'incentiveperiod';
export const INCENTIVE_PERIODS_ID = 'company';
export const incentivePeriodStreamId = (id: string) => `${INCENTIVE_PERIOD_CATEGORY}-${id}`;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const incentivePeriodEventSchemas = {
  IncentivePeriodClosed: z.object({
    period: Period,
    /** The last log position the period's statements read. */
    cutPosition: z.number().int().nonnegative(),
    /** One statement per rep a plan paid in the period, each id derived from the period and the rep. */
    statements: z.array(z.object({ statementId: z.string(), repId: z.string() })),
    closedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type IncentivePeriodEvent = EventOf<typeof incentivePeriodEventSchemas>;
export type PeriodClosed = z.infer<typeof incentivePeriodEventSchemas.IncentivePeriodClosed>;

// State

export type IncentivePeriods = { closed: readonly PeriodClosed[] };

export const initialState = (): IncentivePeriods => ({ closed: [] });

export const evolve = (state: IncentivePeriods, event: IncentivePeriodEvent): IncentivePeriods => ({ closed: [...state.closed, event.data] });

export const closedPeriod = (state: IncentivePeriods, period: string) => state.closed.find((closed) => closed.period === period);

// Commands

export type CloseIncentivePeriod = {
  type: 'CloseIncentivePeriod';
  period: string;
  cutPosition: number;
  statements: { statementId: string; repId: string }[];
};
export type IncentivePeriodCommand = CloseIncentivePeriod;

export const incentivePeriodRules = {
  closedOnce: { id: 'INC-20', name: 'A period is closed once' },
  closedAfterItEnds: { id: 'INC-21', name: 'A period is closed only after its last day has ended' },
  closedInOrder: { id: 'INC-22', name: 'Periods close in order, never over days a closed period already paid' },
  closedByFinance: { id: 'INC-23', name: 'A period is closed by finance or an admin' },
} as const satisfies Record<string, Rule>;

const CLOSING_ROLES: readonly string[] = ['finance', 'admin'];

export const decide = (command: IncentivePeriodCommand, state: IncentivePeriods, context: DecisionContext): IncentivePeriodEvent[] | Refusal => {
  const { period, cutPosition, statements } = command;
  if (!CLOSING_ROLES.includes(context.actor.role)) return refuse(incentivePeriodRules.closedByFinance, `A ${context.actor.role} cannot close a period`);
  if (closedPeriod(state, period)) return refuse(incentivePeriodRules.closedOnce, `${period} is already closed`);
  const { endDay } = periodBounds(period);
  const today = companyDay(context.now);
  if (today < endDay) return refuse(incentivePeriodRules.closedAfterItEnds, `${period} runs until ${endDay} begins; today is ${today}`);
  const clash = state.closed.find((closed) => periodsOverlap(closed.period, period) || periodBounds(closed.period).firstDay > periodBounds(period).firstDay);
  if (clash) return refuse(incentivePeriodRules.closedInOrder, `${clash.period} is closed already`);
  return [{ type: 'IncentivePeriodClosed', data: { period, cutPosition, statements, closedBy: context.actor.id } }];
};

export const incentivePeriodDecider: Decider<IncentivePeriods, IncentivePeriodCommand, IncentivePeriodEvent> = { initialState, evolve, decide };

export const incentivePeriodAggregate: Aggregate<IncentivePeriods, IncentivePeriodCommand, IncentivePeriodEvent> = {
  category: INCENTIVE_PERIOD_CATEGORY,
  name: 'Incentive periods',
  streamId: incentivePeriodStreamId,
  decider: incentivePeriodDecider,
  events: incentivePeriodEventSchemas,
};
