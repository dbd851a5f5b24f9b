import { z } from 'zod';
import { Severity } from '../policy/policy.js';
import type { Aggregate } from '../shared/aggregate.js';
import { companyDay } from '../shared/calendar.js';
import { decideByCommand, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money } from '../shared/money.js';
import { hasAtMostTwoDecimals } from '../shared/percent.js';

/**
 * An incentive plan (articles 5, 22, 23): published rules that turn recorded sales into pay, as
 * versioned data like the policy. Each revision takes effect from a day; a statement names the
 * revision it was computed under, and can be computed again under any other.
 */
export const INCENTIVE_PLAN_CATEGORY = 'incentiveplan';
export const incentivePlanStreamId = (planId: string) => `${INCENTIVE_PLAN_CATEGORY}-${planId}`;

export const CreditOn = z.enum(['order_completed', 'payment_received']);
export type CreditOn = z.infer<typeof CreditOn>;
export const Measure = z.enum(['bookings', 'gross_margin']);
export type Measure = z.infer<typeof Measure>;
/** marginal: each slice of attainment earns its own tier's rate; retroactive: all of it earns the rate of the tier reached. */
export const TierMode = z.enum(['marginal', 'retroactive']);
export type TierMode = z.infer<typeof TierMode>;

/** A tier runs from above fromPct of the target up to and including toPct; the last has no toPct. */
export const Tier = z.object({ fromPct: z.number(), toPct: z.number().optional(), ratePct: z.number() });
export type Tier = z.infer<typeof Tier>;
/** A fixed amount per unit of a product sold (ordered) between two company days, both included. */
export const Spiff = z.object({ sku: z.string(), amountPerUnit: Money, from: z.iso.date(), to: z.iso.date() });
export type Spiff = z.infer<typeof Spiff>;
/** A deal discounted off list by more than abovePct earns reducePct less. */
export const DiscountPenalty = z.object({ abovePct: z.number(), reducePct: z.number() });
export type DiscountPenalty = z.infer<typeof DiscountPenalty>;
/** What one remediated finding of a severity deducts: a fixed amount, a percentage of the period's commission, or both. */
export const Deduction = z.object({ amount: Money.optional(), pct: z.number().optional() });
export type Deduction = z.infer<typeof Deduction>;
export const CompliancePenalties = z.object({
  /** A deal with an open finding of one of these severities is held until the finding is remediated or waived. */
  holdSeverities: z.array(Severity),
  deduct: z.partialRecord(Severity, Deduction),
});
export type CompliancePenalties = z.infer<typeof CompliancePenalties>;

export const PlanRules = z.object({
  effectiveFrom: z.iso.date(),
  creditOn: CreditOn,
  measure: Measure,
  tierMode: TierMode,
  tiers: z.array(Tier),
  cap: Money.optional(),
  spiffs: z.array(Spiff),
  discountPenalty: DiscountPenalty.optional(),
  compliance: CompliancePenalties,
  clawbackDays: z.number().int(),
});
export type PlanRules = z.infer<typeof PlanRules>;

export const AppliesTo = z.object({ teams: z.array(z.string()), reps: z.array(z.string()) });
export type AppliesTo = z.infer<typeof AppliesTo>;
/** The company days a plan pays for: from its first, up to but not including `to` when it has an end. */
export const PlanWindow = z.object({ from: z.iso.date(), to: z.iso.date().optional() });
export type PlanWindow = z.infer<typeof PlanWindow>;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const incentivePlanEventSchemas = {
  IncentivePlanCreated: z.object({
    planId: z.string(),
    name: z.string(),
    currency: z.string(),
    appliesTo: AppliesTo,
    window: PlanWindow,
    /** Whether analysts may see each rep's amounts; otherwise they see aggregates only. */
    publicResults: z.boolean(),
    createdBy: z.string(),
  }),
  IncentivePlanRevisionPublished: PlanRules.extend({
    planId: z.string(),
    revision: z.number().int().positive(),
    changeNote: z.string().optional(),
    publishedBy: z.string(),
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type IncentivePlanEvent = EventOf<typeof incentivePlanEventSchemas>;
export type PlanRevision = z.infer<typeof incentivePlanEventSchemas.IncentivePlanRevisionPublished>;

// State

export type IncentivePlan =
  | { status: 'none' }
  | { status: 'created'; planId: string; currency: string; appliesTo: AppliesTo; window: PlanWindow; revisions: readonly PlanRevision[] };

export const initialState = (): IncentivePlan => ({ status: 'none' });

export const evolve = (state: IncentivePlan, event: IncentivePlanEvent): IncentivePlan => {
  switch (event.type) {
    case 'IncentivePlanCreated': {
      const { planId, currency, appliesTo, window } = event.data;
      return { status: 'created', planId, currency, appliesTo, window, revisions: [] };
    }
    case 'IncentivePlanRevisionPublished':
      return state.status === 'none' ? state : { ...state, revisions: [...state.revisions, event.data] };
  }
};

/** The revision in force on a company day: the latest whose effectiveFrom is on or before it; undefined before the first. */
export const revisionInForce = (revisions: readonly PlanRevision[], day: string): PlanRevision | undefined =>
  revisions.filter((revision) => revision.effectiveFrom <= day).at(-1);

/** Whether the plan pays for a company day. */
export const windowHolds = (window: PlanWindow, day: string) => window.from <= day && (window.to === undefined || day < window.to);

// Commands

export type CreateIncentivePlan = {
  type: 'CreateIncentivePlan';
  planId: string;
  name: string;
  currency: string;
  appliesTo: { teams?: string[]; reps?: string[] };
  window: PlanWindow;
  publicResults?: boolean;
};
export type PublishPlanRevision = { type: 'PublishPlanRevision'; changeNote?: string } & PlanRules;

export type IncentivePlanCommand = CreateIncentivePlan | PublishPlanRevision;

/** Another plan as the application found it, for the overlap rule. */
export type OtherPlan = { readonly planId: string; readonly appliesTo: AppliesTo; readonly window: PlanWindow };

export type IncentivePlanFacts = {
  readonly CreateIncentivePlan: { readonly otherPlans: readonly OtherPlan[] };
  readonly PublishPlanRevision: unknown;
};

export const incentivePlanRules = {
  createdOnce: { id: 'INC-01', name: 'A plan is created once' },
  appliesToSomeone: { id: 'INC-02', name: 'A plan names a name, and the teams or reps it pays' },
  noOverlap: { id: 'INC-03', name: 'No team or rep is named by two plans whose windows overlap' },
  windowEndsAfterStart: { id: 'INC-04', name: "A plan's window ends after it starts" },
  publishedByFinance: { id: 'INC-05', name: 'Plans are published by finance or an admin' },
  tiersContiguous: { id: 'INC-06', name: 'Tiers run up from 0% without gaps or overlaps, and only the last is open-ended' },
  percentagesPossible: { id: 'INC-07', name: 'Rates and percentages are between 0% and 100%, with at most two decimals' },
  amountsInPlanCurrency: { id: 'INC-08', name: "Every amount of a plan is in the plan's currency and above zero" },
  revisionDated: { id: 'INC-09', name: "A revision takes effect inside the plan's window, not in the past, and not before the revision before it" },
  spiffWindow: { id: 'INC-10', name: 'A SPIFF names a product and a window that ends on or after it starts' },
  clawbackWindow: { id: 'INC-11', name: 'The clawback window is a whole number of days, from 0 to 730' },
  revisedOnceCreated: { id: 'INC-12', name: 'Only a created plan is revised' },
} as const satisfies Record<string, Rule>;

const PUBLISHING_ROLES: readonly string[] = ['finance', 'admin'];
const MAX_CLAWBACK_DAYS = 730;

const possiblePct = (pct: number) => pct >= 0 && pct <= 100 && hasAtMostTwoDecimals(pct);

/** INC-06: from 0 upward, each tier starting where the one before ended, only the last open. */
const tierProblem = (tiers: readonly Tier[]): string | null => {
  if (tiers.length === 0) return 'A plan needs at least one tier';
  let expectedFrom = 0;
  for (const [index, tier] of tiers.entries()) {
    if (tier.fromPct !== expectedFrom) {
      return `Tier ${index + 1} starts at ${tier.fromPct}%, where ${index === 0 ? 'the first must start: 0%' : `tier ${index} ended: ${expectedFrom}%`}`;
    }
    const last = index === tiers.length - 1;
    if (tier.toPct === undefined) return last ? null : `Tier ${index + 1} is open-ended but is not the last`;
    if (tier.toPct <= tier.fromPct) return `Tier ${index + 1} ends at ${tier.toPct}%, not above where it starts`;
    expectedFrom = tier.toPct;
  }
  return `The last tier ends at ${expectedFrom}%: it must be open-ended`;
};

/** INC-07: rates at most 100%, every percentage with at most two decimals; tier bounds may pass 100% but not go below 0. */
const pctProblem = (rules: PlanRules): string | null => {
  for (const tier of rules.tiers) {
    if (!possiblePct(tier.ratePct)) return `A rate of ${tier.ratePct}%`;
    for (const bound of [tier.fromPct, tier.toPct ?? 0]) if (bound < 0 || !hasAtMostTwoDecimals(bound)) return `A tier bound of ${bound}%`;
  }
  if (rules.discountPenalty) {
    const { abovePct, reducePct } = rules.discountPenalty;
    if (!possiblePct(abovePct) || !possiblePct(reducePct)) return `A discount penalty of ${reducePct}% above ${abovePct}%`;
  }
  for (const [severity, deduction] of Object.entries(rules.compliance.deduct)) {
    if (deduction.pct !== undefined && !possiblePct(deduction.pct)) return `A ${severity} deduction of ${deduction.pct}%`;
  }
  return null;
};

/** INC-08: the cap, SPIFFs and deductions in the plan's currency, above zero; a deduction says what it takes. */
const amountProblem = (rules: PlanRules, currency: string): string | null => {
  const amounts: [string, Money][] = [
    ...(rules.cap ? [['The cap', rules.cap] as [string, Money]] : []),
    ...rules.spiffs.map((spiff): [string, Money] => [`The SPIFF on ${spiff.sku}`, spiff.amountPerUnit]),
    ...Object.entries(rules.compliance.deduct).flatMap(([severity, d]): [string, Money][] => (d.amount ? [[`The ${severity} deduction`, d.amount]] : [])),
  ];
  for (const [what, amount] of amounts) {
    if (amount.currency !== currency) return `${what} is in ${amount.currency}, the plan in ${currency}`;
    if (amount.minor <= 0) return `${what} is not above zero`;
  }
  const empty = Object.entries(rules.compliance.deduct).find(([, d]) => d.amount === undefined && d.pct === undefined);
  return empty ? `The ${empty[0]} deduction names neither an amount nor a percentage` : null;
};

const overlaps = (a: PlanWindow, b: PlanWindow) => (b.to === undefined || a.from < b.to) && (a.to === undefined || b.from < a.to);

const create = (command: CreateIncentivePlan, state: IncentivePlan, context: DecisionContext & IncentivePlanFacts['CreateIncentivePlan']): IncentivePlanEvent[] | Refusal => {
  if (state.status !== 'none') return refuse(incentivePlanRules.createdOnce, `Plan ${state.planId} is already created`);
  if (!PUBLISHING_ROLES.includes(context.actor.role)) return refuse(incentivePlanRules.publishedByFinance, `A ${context.actor.role} cannot publish a plan`);
  const teams = [...new Set(command.appliesTo.teams ?? [])];
  const reps = [...new Set(command.appliesTo.reps ?? [])];
  if (!command.name.trim() || teams.length + reps.length === 0 || [...teams, ...reps].some((name) => !name.trim())) {
    return refuse(incentivePlanRules.appliesToSomeone, 'Name the plan and at least one team or rep it pays');
  }
  const { window } = command;
  if (window.to !== undefined && window.to <= window.from) return refuse(incentivePlanRules.windowEndsAfterStart, `The window ends on ${window.to}, not after ${window.from}`);
  for (const other of context.otherPlans) {
    if (!overlaps(window, other.window)) continue;
    const team = teams.find((name) => other.appliesTo.teams.includes(name));
    const rep = reps.find((name) => other.appliesTo.reps.includes(name));
    if (team !== undefined || rep !== undefined) {
      return refuse(incentivePlanRules.noOverlap, `Plan ${other.planId} already pays ${team !== undefined ? `team ${team}` : `rep ${rep}`} from ${other.window.from}${other.window.to ? ` to ${other.window.to}` : ''}`);
    }
  }
  const { planId, name, currency } = command;
  return [
    {
      type: 'IncentivePlanCreated',
      data: { planId, name, currency, appliesTo: { teams, reps }, window, publicResults: command.publicResults ?? false, createdBy: context.actor.id },
    },
  ];
};

const publish = (command: PublishPlanRevision, state: IncentivePlan, context: DecisionContext): IncentivePlanEvent[] | Refusal => {
  if (state.status === 'none') return refuse(incentivePlanRules.revisedOnceCreated, 'The plan was never created');
  if (!PUBLISHING_ROLES.includes(context.actor.role)) return refuse(incentivePlanRules.publishedByFinance, `A ${context.actor.role} cannot publish a plan`);
  const { type: _type, changeNote, ...rules } = command;
  const tiers = tierProblem(rules.tiers);
  if (tiers) return refuse(incentivePlanRules.tiersContiguous, tiers);
  const pct = pctProblem(rules);
  if (pct) return refuse(incentivePlanRules.percentagesPossible, `${pct} is not possible`);
  const amounts = amountProblem(rules, state.currency);
  if (amounts) return refuse(incentivePlanRules.amountsInPlanCurrency, amounts);
  const badSpiff = rules.spiffs.find((spiff) => !spiff.sku.trim() || spiff.to < spiff.from);
  if (badSpiff) return refuse(incentivePlanRules.spiffWindow, `The SPIFF on '${badSpiff.sku}' runs from ${badSpiff.from} to ${badSpiff.to}`);
  if (rules.clawbackDays < 0 || rules.clawbackDays > MAX_CLAWBACK_DAYS) return refuse(incentivePlanRules.clawbackWindow, `${rules.clawbackDays} days`);
  const today = companyDay(context.now);
  const previous = state.revisions.at(-1);
  if (!windowHolds(state.window, rules.effectiveFrom)) {
    return refuse(incentivePlanRules.revisionDated, `${rules.effectiveFrom} is outside the plan's window from ${state.window.from}${state.window.to ? ` to ${state.window.to}` : ''}`);
  }
  if (rules.effectiveFrom < today) return refuse(incentivePlanRules.revisionDated, `${rules.effectiveFrom} is before today, ${today}`);
  if (previous && rules.effectiveFrom < previous.effectiveFrom) {
    return refuse(incentivePlanRules.revisionDated, `Revision ${previous.revision} takes effect on ${previous.effectiveFrom}, after ${rules.effectiveFrom}`);
  }
  return [
    {
      type: 'IncentivePlanRevisionPublished',
      data: {
        ...rules,
        planId: state.planId,
        revision: state.revisions.length + 1,
        ...(changeNote !== undefined ? { changeNote } : {}),
        publishedBy: context.actor.id,
      },
    },
  ];
};

export const decide = decideByCommand<IncentivePlan, IncentivePlanCommand, IncentivePlanEvent, IncentivePlanFacts>({
  CreateIncentivePlan: create,
  PublishPlanRevision: publish,
});

export const incentivePlanDecider: Decider<IncentivePlan, IncentivePlanCommand, IncentivePlanEvent, IncentivePlanFacts> = { initialState, evolve, decide };

export const incentivePlanAggregate: Aggregate<IncentivePlan, IncentivePlanCommand, IncentivePlanEvent, IncentivePlanFacts> = {
  category: INCENTIVE_PLAN_CATEGORY,
  name: 'Incentive plan',
  streamId: incentivePlanStreamId,
  decider: incentivePlanDecider,
  events: incentivePlanEventSchemas,
};
