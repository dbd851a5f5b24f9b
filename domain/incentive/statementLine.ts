import { z } from 'zod';
import { Money } from '../shared/money.js';

/** An event a line rests on, pinned by its hash: whoever recomputes the line reads the same event or sees that it changed. */
export const SourceRef = z.object({
  streamId: z.string(),
  revision: z.number().int().nonnegative(),
  hash: z.string(),
});
export type SourceRef = z.infer<typeof SourceRef>;

/**
 * credit: a deal credited (its commission); awaiting_rate: a credit in another currency with no
 * rate recorded yet, paid once there is; spiff: a product bonus; discount_penalty: commission lost
 * to a discount past the plan's threshold; hold: a deal's earnings withheld for an open finding;
 * release: a hold paid out once its findings are settled; cap: what the plan's cap takes off;
 * deduction: a remediated finding's penalty; clawback: a cancelled or refunded deal's earnings
 * taken back; adjustment: a dispute resolved in the rep's favour; carried: a negative balance
 * brought forward from the statement before.
 */
export const LineKind = z.enum(['credit', 'awaiting_rate', 'spiff', 'discount_penalty', 'hold', 'release', 'cap', 'deduction', 'clawback', 'adjustment', 'carried']);
export type LineKind = z.infer<typeof LineKind>;

export const FxUsed = z.object({ from: z.string(), to: z.string(), rate: z.string(), validOn: z.iso.date(), source: SourceRef });
export type FxUsed = z.infer<typeof FxUsed>;

export const StatementLine = z.object({
  /** Stable across recomputations: the kind and the source it stands on. */
  lineId: z.string(),
  kind: LineKind,
  /** In the plan's currency; rounded once. */
  amount: Money,
  /** The company day of the source event. */
  day: z.iso.date(),
  detail: z.string(),
  source: SourceRef,
  orderId: z.string().optional(),
  /** What the line credited, in the plan's currency, for a credit. */
  measure: Money.optional(),
  fx: FxUsed.optional(),
  /** The source event is dated before the period: a late payment or cancellation settled here. */
  late: z.boolean().optional(),
  /** The findings a hold waits on, or a deduction stands for. */
  findingIds: z.array(z.string()).optional(),
  /** The hold a release pays out. */
  releases: z.object({ statementId: z.string(), lineId: z.string() }).optional(),
});
export type StatementLine = z.infer<typeof StatementLine>;

/** A statement's figures as computed: what IncentiveCalculated records and a recomputation answers. */
export const ComputedStatement = z.object({
  statementId: z.string(),
  period: z.string(),
  repId: z.string(),
  team: z.string(),
  managerId: z.string().optional(),
  planId: z.string(),
  planRevision: z.object({ revision: z.number().int().positive(), source: SourceRef }),
  currency: z.string(),
  /** The last log position the statement read: a recomputation reads the log to the same point. */
  cutPosition: z.number().int().nonnegative(),
  target: z.object({ amount: Money, source: SourceRef }).optional(),
  /** What the credits of the period add up to, in the plan's currency. */
  measureTotal: Money,
  /** 8325 is 83.25%; absent without a target. */
  attainmentBps: z.number().int().optional(),
  lines: z.array(StatementLine),
  total: Money,
  /** What is paid: the total, or nothing when it is negative (the balance is carried to the next statement). */
  payable: Money,
});
export type ComputedStatement = z.infer<typeof ComputedStatement>;
