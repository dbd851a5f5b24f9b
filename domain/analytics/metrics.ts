import type { ExactSum } from '../shared/money.js';
import type { PeriodKind } from '../shared/periods.js';
import type { DealClosedFact, FactKind, FactOfKind, KpiFact } from './facts.js';
import { averageMinor, daysBetween, mean, median, percentOf, quantile, ratioOf, twoDecimals } from './statistics.js';

/**
 * The KPI catalog (articles 5, 19, 20-24): every metric in one place, with its formula, the events it
 * counts and the instant each is attributed to. The README's KPI table is this catalog, written out.
 */

export const GROUP_BYS = ['owner', 'team', 'region', 'industry', 'sku', 'source', 'campaign', 'partner'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export type MetricUnit = 'percent' | 'days' | 'money' | 'ratio' | 'per_100_promises';

/** One fact as it counts in one cell; under an attribution model, with the share of its amount credited to the cell's campaign or partner. */
export type Contribution = { readonly fact: KpiFact; readonly credit?: bigint };

/** A cell's figure: a number (a rate, days, a ratio) or an exact amount, with what it was computed from. */
export type Measured = {
  readonly value: number | null;
  readonly amount?: ExactSum | null;
  /** Facts counted. */
  readonly count: number;
  readonly numerator?: bigint;
  readonly denominator?: bigint;
  /** Why there is no figure, where that needs saying ("no target"). */
  readonly note?: string;
};

/** A period the answer is given per: a period of the calendar, or the whole range as one. */
export type Bucket = { readonly key: string; readonly start: string; readonly end: string };

/** What a cell's figure may depend on besides its facts: its calendar period (null for one bucket over the whole range), its currency, what it is grouped by, and the moment the question is asked as of. */
export type CellContext = { readonly period: Bucket | null; readonly currency: string | null; readonly groupBy: GroupBy | null; readonly moment: string };

export type MetricDefinition = {
  readonly id: string;
  readonly name: string;
  readonly nameZh: string;
  readonly unit: MetricUnit;
  readonly formula: string;
  /** The events whose facts it counts, and what each stands for. */
  readonly counts: string;
  /** The types of those events: what an explanation of a figure lists. */
  readonly events: readonly string[];
  /** The instant a counted fact falls in a period by. */
  readonly attributedTo: string;
  readonly facts: readonly FactKind[];
  /** Facts of those kinds it counts (not a lost deal in deal size), for a question grouped so. */
  readonly include?: (fact: KpiFact, groupBy: GroupBy | null) => boolean;
  readonly groupBy: readonly GroupBy[];
  /** Series are split by currency (amounts are never added across currencies) or by stage. */
  readonly split?: 'currency' | 'stage';
  /** The periods it can be asked per; every period when absent. */
  readonly periods?: readonly PeriodKind[];
  /** Credited to campaigns or partners under an attribution model: the amount of a fact that is shared out. */
  readonly credited?: (fact: KpiFact) => bigint | null;
  readonly measure: (contributions: readonly Contribution[], context: CellContext) => Measured;
};

const is = <Kind extends FactKind>(kind: Kind) => (fact: KpiFact): fact is FactOfKind<Kind> => fact.kind === kind;
const won = (fact: KpiFact): fact is DealClosedFact => fact.kind === 'deal_closed' && fact.outcome === 'won';
const facts = (contributions: readonly Contribution[]) => contributions.map((c) => c.fact);

/** A share of facts that meet a condition, as a percentage. */
const share = (contributions: readonly Contribution[], counted: (fact: KpiFact) => boolean, meets: (fact: KpiFact) => boolean): Measured => {
  const denominator = facts(contributions).filter(counted);
  const numerator = denominator.filter(meets).length;
  return { value: percentOf(BigInt(numerator), BigInt(denominator.length)), count: denominator.length, numerator: BigInt(numerator), denominator: BigInt(denominator.length) };
};

const days = (values: readonly number[], average: (values: readonly number[]) => number | null): Measured => {
  const value = average(values);
  return { value: value === null ? null : twoDecimals(value), count: values.length };
};

const total = (contributions: readonly Contribution[], minorOf: (c: Contribution) => bigint, currency: string | null): Measured => ({
  value: null,
  amount: currency === null ? null : { minor: contributions.reduce((sum, c) => sum + minorOf(c), 0n), currency },
  count: contributions.length,
});

const amountMinor = (fact: KpiFact): bigint => ('amount' in fact ? BigInt(fact.amount.minor) : 0n);
const creditOrAmount = (c: Contribution) => c.credit ?? amountMinor(c.fact);

/** A deal's margin, when it is known. */
const marginMinor = (fact: KpiFact): bigint | null => (fact.kind === 'deal_closed' && fact.margin ? BigInt(fact.margin.minor) : null);

/** Credited amounts (bookings or margin) over what the campaign cost in the same currency; without a model's credit, the whole amount. */
const returnOnCost = (credited: (fact: KpiFact) => bigint | null) => (contributions: readonly Contribution[]): Measured => {
  const returned = contributions.filter((c) => c.fact.kind === 'deal_closed').reduce((sum, c) => sum + (c.credit ?? credited(c.fact) ?? 0n), 0n);
  const cost = contributions.filter((c) => c.fact.kind === 'campaign_cost').reduce((sum, c) => sum + amountMinor(c.fact), 0n);
  return { value: ratioOf(returned, cost), count: contributions.length, numerator: returned, denominator: cost };
};

/** Whether an order had fallen due, or was complete, by the moment asked: only then can it count. */
const orderSettled = (moment: string) => (fact: KpiFact) =>
  fact.kind === 'order_due' && !fact.cancelled && (fact.fullyDeliveredAt !== null ? Date.parse(fact.fullyDeliveredAt) <= Date.parse(moment) : Date.parse(fact.dueEnd) <= Date.parse(moment));

/**
 * Pipeline coverage: what was open as the period began against what was to be booked in it. A team
 * is measured against its own target (not the sum of its sellers'); a seller, or everyone, against
 * the sellers' own targets, counting only the pipeline of sellers who have one.
 */
const pipelineCoverage = (contributions: readonly Contribution[], { period, groupBy }: CellContext): Measured => {
  const atStart = facts(contributions).filter((f) => period !== null && f.at === period.start);
  const targets = atStart.filter(is('target')).filter((f) => f.period === period!.key);
  const targeted = new Set(targets.map((f) => f.ownerId));
  // Over everyone, a seller without a target would inflate the coverage of those with one.
  const forecasts = atStart.filter(is('forecast')).filter((f) => groupBy !== null || targeted.has(f.ownerId));
  const open = forecasts.reduce((sum, f) => sum + BigInt(f.openMinor), 0n);
  const target = targets.reduce((sum, f) => sum + BigInt(f.amount.minor), 0n);
  if (target === 0n) return { value: null, count: forecasts.length, numerator: open, note: 'no target' };
  return { value: ratioOf(open, target), count: forecasts.length + targets.length, numerator: open, denominator: target };
};

/**
 * Forecast accuracy: per seller, how far what they won in the period was from their forecast as
 * it began, as a share of what they won; the cell's figure is the mean over its sellers. A seller
 * who won nothing has no percentage error (it would divide by nothing) and is left out.
 */
const meanAbsolutePercentageError = (contributions: readonly Contribution[], { period, currency }: CellContext): Measured => {
  const forecast = new Map<string, bigint>();
  const actual = new Map<string, bigint>();
  for (const { fact } of contributions) {
    const owner = fact.ownerId ?? '';
    if (fact.kind === 'forecast' && period !== null && fact.at === period.start && fact.currency === currency) {
      forecast.set(owner, (forecast.get(owner) ?? 0n) + BigInt(fact.weightedMinor));
    }
    if (won(fact) && fact.amount.currency === currency) actual.set(owner, (actual.get(owner) ?? 0n) + BigInt(fact.amount.minor));
  }
  const errors: number[] = [];
  for (const owner of new Set([...forecast.keys(), ...actual.keys()])) {
    const wonMinor = actual.get(owner) ?? 0n;
    if (wonMinor === 0n) continue;
    const gap = wonMinor - (forecast.get(owner) ?? 0n);
    errors.push(percentOf(gap < 0n ? -gap : gap, wonMinor)!);
  }
  const value = mean(errors);
  return { value: value === null ? null : twoDecimals(value), count: errors.length };
};

/** The events that move a deal into and out of a stage. */
const STAGE_MOVES = ['OpportunityOpened', 'OpportunityStageChanged', 'OpportunityWon', 'OpportunityLost'];
/** The events that touch a deal with a campaign or a partner. */
const TOUCHES = ['LeadCaptured', 'OpportunitySourceLinked', 'OpportunityRegistrationLinked'];

const EVERY_GROUP: readonly GroupBy[] = ['owner', 'team', 'region', 'industry', 'sku', 'source', 'campaign', 'partner'];
const SELLER_GROUPS: readonly GroupBy[] = ['owner', 'team', 'region', 'industry', 'sku'];
const LEAD_GROUPS: readonly GroupBy[] = ['owner', 'team', 'source', 'campaign', 'partner'];
const ATTRIBUTED: readonly GroupBy[] = ['campaign', 'partner'];

export const METRICS: readonly MetricDefinition[] = [
  {
    id: 'win_rate',
    name: 'Win rate (by count)',
    nameZh: '赢单率（按数量）',
    unit: 'percent',
    formula: 'deals won / deals closed (won + lost) x 100',
    counts: 'OpportunityWon, OpportunityLost',
    events: ['OpportunityWon', 'OpportunityLost'],
    attributedTo: 'the moment the deal closed',
    facts: ['deal_closed'],
    groupBy: EVERY_GROUP,
    measure: (cs) => share(cs, () => true, won),
  },
  {
    id: 'win_rate_by_value',
    name: 'Win rate (by value)',
    nameZh: '赢单率（按金额）',
    unit: 'percent',
    formula: 'amount of deals won / amount of deals closed (won + lost) x 100, per currency',
    counts: 'OpportunityWon, OpportunityLost',
    events: ['OpportunityWon', 'OpportunityLost'],
    attributedTo: 'the moment the deal closed',
    facts: ['deal_closed'],
    groupBy: EVERY_GROUP,
    split: 'currency',
    measure: (cs) => {
      const closed = facts(cs).reduce((sum, f) => sum + amountMinor(f), 0n);
      const wonMinor = facts(cs).filter(won).reduce((sum, f) => sum + amountMinor(f), 0n);
      return { value: percentOf(wonMinor, closed), count: cs.length, numerator: wonMinor, denominator: closed };
    },
  },
  {
    id: 'sales_cycle_days',
    name: 'Sales cycle, median (days)',
    nameZh: '销售周期中位数（天）',
    unit: 'days',
    formula: 'median over deals closed, won or lost, of (closed at - opened at), in days',
    counts: 'OpportunityOpened, and OpportunityWon or OpportunityLost, of each deal closed',
    events: ['OpportunityOpened', 'OpportunityWon', 'OpportunityLost'],
    attributedTo: 'the moment the deal closed',
    facts: ['deal_closed'],
    groupBy: EVERY_GROUP,
    measure: (cs) => days(facts(cs).filter(is('deal_closed')).map((f) => daysBetween(f.openedAt, f.at)), median),
  },
  {
    id: 'sales_cycle_days_avg',
    name: 'Sales cycle, average (days)',
    nameZh: '销售周期平均值（天）',
    unit: 'days',
    formula: 'mean over deals closed, won or lost, of (closed at - opened at), in days',
    counts: 'OpportunityOpened, and OpportunityWon or OpportunityLost, of each deal closed',
    events: ['OpportunityOpened', 'OpportunityWon', 'OpportunityLost'],
    attributedTo: 'the moment the deal closed',
    facts: ['deal_closed'],
    groupBy: EVERY_GROUP,
    measure: (cs) => days(facts(cs).filter(is('deal_closed')).map((f) => daysBetween(f.openedAt, f.at)), mean),
  },
  {
    id: 'stage_conversion',
    name: 'Stage conversion',
    nameZh: '阶段转化率',
    unit: 'percent',
    formula: 'per stage: deals that left it forwards (to a later stage, or won) / deals that left it (forwards, backwards, or lost) x 100',
    counts: 'OpportunityStageChanged, OpportunityWon, OpportunityLost (each exit from a stage)',
    events: STAGE_MOVES,
    attributedTo: 'the moment the deal left the stage',
    facts: ['stage_exit'],
    groupBy: EVERY_GROUP,
    split: 'stage',
    measure: (cs) => share(cs, () => true, (f) => f.kind === 'stage_exit' && f.advanced),
  },
  {
    id: 'time_in_stage_days',
    name: 'Time in stage, median (days)',
    nameZh: '阶段停留时间中位数（天）',
    unit: 'days',
    formula: 'per stage: median over exits of (left at - entered at), in days',
    counts: 'the event that moved the deal into the stage (OpportunityOpened or OpportunityStageChanged) and the one that moved it out',
    events: STAGE_MOVES,
    attributedTo: 'the moment the deal left the stage',
    facts: ['stage_exit'],
    groupBy: EVERY_GROUP,
    split: 'stage',
    measure: (cs) => days(facts(cs).filter(is('stage_exit')).map((f) => daysBetween(f.enteredAt, f.at)), median),
  },
  {
    id: 'deal_size_avg',
    name: 'Average deal size',
    nameZh: '平均成交金额',
    unit: 'money',
    formula: 'sum of amounts won / deals won, per currency, rounded half up to the minor unit',
    counts: 'OpportunityWon',
    events: ['OpportunityWon'],
    attributedTo: 'the moment the deal was won',
    facts: ['deal_closed'],
    include: won,
    groupBy: EVERY_GROUP,
    split: 'currency',
    measure: (cs, { currency }) => {
      const sum = facts(cs).reduce((s, f) => s + amountMinor(f), 0n);
      const average = averageMinor(sum, cs.length);
      return { value: null, amount: average === null || currency === null ? null : { minor: average, currency }, count: cs.length, numerator: sum, denominator: BigInt(cs.length) };
    },
  },
  {
    id: 'discount_depth',
    name: 'Discount depth off list, median',
    nameZh: '折扣深度中位数（相对目录价）',
    unit: 'percent',
    formula: 'median over quotes sent of (list total - quoted total) / list total x 100',
    counts: 'QuoteDrafted (the lines) and QuoteSent',
    events: ['QuoteDrafted', 'QuoteSent'],
    attributedTo: 'the moment the quote was sent',
    facts: ['quote_sent'],
    groupBy: SELLER_GROUPS,
    measure: (cs) => discountDepth(cs, 0.5),
  },
  {
    id: 'discount_depth_p90',
    name: 'Discount depth off list, 90th percentile',
    nameZh: '折扣深度第90百分位（相对目录价）',
    unit: 'percent',
    formula: '90th percentile (linear between closest ranks) over quotes sent of (list total - quoted total) / list total x 100',
    counts: 'QuoteDrafted (the lines) and QuoteSent',
    events: ['QuoteDrafted', 'QuoteSent'],
    attributedTo: 'the moment the quote was sent',
    facts: ['quote_sent'],
    groupBy: SELLER_GROUPS,
    measure: (cs) => discountDepth(cs, 0.9),
  },
  {
    id: 'quote_to_order_rate',
    name: 'Quote-to-order rate',
    nameZh: '报价转订单率',
    unit: 'percent',
    formula: 'quotes sent that an order was placed from / quotes sent x 100',
    counts: 'QuoteSent, and OrderPlaced naming the quote',
    events: ['QuoteSent', 'OrderPlaced'],
    attributedTo: 'the moment the quote was sent (a later order raises the rate of the period the quote was sent in)',
    facts: ['quote_sent'],
    groupBy: SELLER_GROUPS,
    measure: (cs) => share(cs, () => true, (f) => f.kind === 'quote_sent' && f.ordered),
  },
  {
    id: 'on_time_delivery_rate',
    name: 'On-time, in-full delivery rate',
    nameZh: '准时足额交付率',
    unit: 'percent',
    formula: 'orders delivered in full by the promised day / orders due (promised day over, or delivered in full, by the moment asked; cancelled orders left out) x 100',
    counts: 'OrderPlaced, OrderFullyDelivered, OrderCancelled',
    events: ['OrderPlaced', 'OrderFullyDelivered', 'OrderCancelled'],
    attributedTo: 'the promised delivery day',
    facts: ['order_due'],
    groupBy: SELLER_GROUPS,
    measure: (cs, { moment }) => share(cs, orderSettled(moment), (f) => f.kind === 'order_due' && f.completeOnTime === true && Date.parse(f.fullyDeliveredAt!) <= Date.parse(moment)),
  },
  {
    id: 'promise_kept_rate',
    name: 'Promise-kept rate',
    nameZh: '承诺兑现率',
    unit: 'percent',
    formula: 'promises fulfilled by their due day / promises fulfilled, broken or gone overdue x 100 (withdrawn and still open ones left out)',
    counts: 'PromiseRecorded, PromiseFulfilled, PromiseBroken, PromiseWentOverdue, PromiseWithdrawn',
    events: ['PromiseRecorded', 'PromiseFulfilled', 'PromiseBroken', 'PromiseWentOverdue', 'PromiseWithdrawn'],
    attributedTo: 'the due day',
    facts: ['promise_due'],
    groupBy: SELLER_GROUPS,
    measure: (cs) => share(cs, (f) => f.kind === 'promise_due' && (f.outcome === 'kept' || f.outcome === 'broken' || f.outcome === 'overdue'), (f) => f.kind === 'promise_due' && f.outcome === 'kept'),
  },
  {
    id: 'findings_per_100_promises',
    name: 'Findings per 100 promises',
    nameZh: '每百项承诺的合规问题数',
    unit: 'per_100_promises',
    formula: 'compliance findings raised on promises / promises recorded x 100',
    counts: 'FindingRaised on a promise, PromiseRecorded',
    events: ['FindingRaised', 'PromiseRecorded'],
    attributedTo: 'the moment the finding was raised; the moment the promise was recorded',
    facts: ['finding_raised', 'promise_recorded'],
    include: (f) => f.kind !== 'finding_raised' || f.subjectKind === 'promise',
    groupBy: SELLER_GROUPS,
    measure: (cs) => {
      const findings = facts(cs).filter(is('finding_raised')).length;
      const promises = facts(cs).filter(is('promise_recorded')).length;
      return { value: percentOf(BigInt(findings), BigInt(promises)), count: cs.length, numerator: BigInt(findings), denominator: BigInt(promises) };
    },
  },
  {
    id: 'lead_conversion_rate',
    name: 'Lead conversion rate',
    nameZh: '线索转化率',
    unit: 'percent',
    formula: 'leads captured that were converted / leads captured x 100',
    counts: 'LeadCaptured, LeadConverted',
    events: ['LeadCaptured', 'LeadConverted'],
    attributedTo: 'the moment the lead was captured (a later conversion raises the rate of the period it was captured in)',
    facts: ['lead_captured'],
    groupBy: LEAD_GROUPS,
    measure: (cs) => share(cs, () => true, (f) => f.kind === 'lead_captured' && f.converted),
  },
  {
    id: 'lead_time_to_convert_days',
    name: 'Time to convert a lead, median (days)',
    nameZh: '线索转化时长中位数（天）',
    unit: 'days',
    formula: 'median over leads converted of (converted at - captured at), in days',
    counts: 'LeadCaptured, LeadConverted',
    events: ['LeadCaptured', 'LeadConverted'],
    attributedTo: 'the moment the lead was converted',
    facts: ['lead_converted'],
    groupBy: LEAD_GROUPS,
    measure: (cs) => days(facts(cs).filter(is('lead_converted')).map((f) => daysBetween(f.capturedAt, f.at)), median),
  },
  {
    id: 'pipeline_created',
    name: 'Pipeline created',
    nameZh: '新增商机金额',
    unit: 'money',
    formula: 'sum of the amounts of deals opened, per currency',
    counts: 'OpportunityOpened',
    events: ['OpportunityOpened'],
    attributedTo: 'the moment the deal was opened',
    facts: ['deal_opened'],
    groupBy: EVERY_GROUP,
    split: 'currency',
    measure: (cs, { currency }) => total(cs, (c) => amountMinor(c.fact), currency),
  },
  {
    id: 'pipeline_closed',
    name: 'Pipeline closed (won and lost)',
    nameZh: '关闭商机金额（赢单与输单）',
    unit: 'money',
    formula: 'sum of the amounts of deals won or lost, per currency',
    counts: 'OpportunityWon, OpportunityLost',
    events: ['OpportunityWon', 'OpportunityLost'],
    attributedTo: 'the moment the deal closed',
    facts: ['deal_closed'],
    groupBy: EVERY_GROUP,
    split: 'currency',
    measure: (cs, { currency }) => total(cs, (c) => amountMinor(c.fact), currency),
  },
  {
    id: 'bookings',
    name: 'Bookings (deals won)',
    nameZh: '成交金额',
    unit: 'money',
    formula: 'sum of the amounts of deals won, per currency',
    counts: 'OpportunityWon',
    events: ['OpportunityWon'],
    attributedTo: 'the moment the deal was won',
    facts: ['deal_closed'],
    include: won,
    groupBy: EVERY_GROUP,
    split: 'currency',
    measure: (cs, { currency }) => total(cs, (c) => amountMinor(c.fact), currency),
  },
  {
    id: 'pipeline_coverage',
    name: 'Pipeline coverage of target',
    nameZh: '商机覆盖率（相对目标）',
    unit: 'ratio',
    formula:
      "open pipeline as the period began / the bookings target for the period, in the same currency: per seller, their own target; per team, the team's own target over its sellers' pipeline; over everyone, the sellers who have a target, over the sum of their targets; null with the note \"no target\" where none is set",
    counts: 'ForecastSnapshotTaken (the open pipeline per seller as the month began), TargetSet and TargetRevised (bookings targets)',
    events: ['ForecastSnapshotTaken', 'TargetSet', 'TargetRevised'],
    attributedTo: 'the first instant of the period',
    facts: ['forecast', 'target'],
    // A team's coverage is against the team's own target; a seller's, or everyone's, against the sellers' own.
    include: (f, groupBy) => f.kind === 'forecast' || (f.kind === 'target' && f.metric === 'bookings' && f.subjectKind === (groupBy === 'team' ? 'team' : 'rep')),
    groupBy: ['owner', 'team'],
    split: 'currency',
    periods: ['month', 'quarter'],
    measure: pipelineCoverage,
  },
  {
    id: 'forecast_accuracy_mape',
    name: 'Forecast accuracy, mean absolute percentage error',
    nameZh: '预测准确度（平均绝对百分比误差）',
    unit: 'percent',
    formula:
      'per seller: |won in the period - weighted forecast as the period began| / won in the period x 100; the mean over the sellers in the cell (sellers who won nothing are left out); a quarter is judged by the forecast taken as its first month began',
    counts: 'ForecastSnapshotTaken, OpportunityWon',
    events: ['ForecastSnapshotTaken', 'OpportunityWon'],
    attributedTo: 'the period: its first instant for the forecast, the moment each deal was won',
    facts: ['forecast', 'deal_closed'],
    include: (f) => f.kind === 'forecast' || won(f),
    groupBy: ['owner', 'team'],
    split: 'currency',
    periods: ['month', 'quarter'],
    measure: meanAbsolutePercentageError,
  },
  {
    id: 'attributed_pipeline',
    name: 'Pipeline attributed to campaigns or partners',
    nameZh: '归因商机金额',
    unit: 'money',
    formula: "each deal opened, its amount credited under the model to the campaigns (or partners) that touched it: first_touch all to the one that touched it first, last_touch all to the one that touched it last, linear in equal shares among them, each once however often it touched (left-over minor units one each to the earliest); a deal touched by none is credited to null",
    counts: 'OpportunityOpened, and the touches: LeadCaptured naming a campaign or partner, OpportunitySourceLinked, OpportunityRegistrationLinked',
    events: ['OpportunityOpened', ...TOUCHES],
    attributedTo: 'the moment the deal was opened',
    facts: ['deal_opened'],
    groupBy: ATTRIBUTED,
    split: 'currency',
    credited: amountMinor,
    measure: (cs, { currency }) => total(cs, creditOrAmount, currency),
  },
  {
    id: 'attributed_bookings',
    name: 'Bookings attributed to campaigns or partners',
    nameZh: '归因成交金额',
    unit: 'money',
    formula: 'each deal won, its amount credited under the model as attributed_pipeline',
    counts: 'OpportunityWon, and the touches as attributed_pipeline',
    events: ['OpportunityWon', ...TOUCHES],
    attributedTo: 'the moment the deal was won',
    facts: ['deal_closed'],
    include: won,
    groupBy: ATTRIBUTED,
    split: 'currency',
    credited: amountMinor,
    measure: (cs, { currency }) => total(cs, creditOrAmount, currency),
  },
  {
    id: 'campaign_roi',
    name: 'Campaign return on cost (bookings)',
    nameZh: '营销活动投入产出比（按成交金额）',
    unit: 'ratio',
    formula: 'bookings attributed to the campaign under the model / the campaign costs recorded in the period, in the same currency; deals no campaign touched count nothing',
    counts: 'OpportunityWon with its touches, CampaignCostRecorded',
    events: ['OpportunityWon', ...TOUCHES, 'CampaignCostRecorded'],
    attributedTo: 'the moment the deal was won; the moment the cost was recorded',
    facts: ['deal_closed', 'campaign_cost'],
    include: (f) => f.kind === 'campaign_cost' || (won(f) && f.campaigns.length > 0),
    groupBy: ['campaign'],
    split: 'currency',
    credited: amountMinor,
    measure: returnOnCost(amountMinor),
  },
  {
    id: 'campaign_roi_margin',
    name: 'Campaign return on cost (margin)',
    nameZh: '营销活动投入产出比（按毛利）',
    unit: 'ratio',
    formula: "margin attributed to the campaign under the model / the campaign costs recorded in the period; a deal's margin is its accepted quote's net total less the catalog's unit costs (deals without one count nothing)",
    counts: 'OpportunityWon with its touches, QuoteAccepted, ProductPublished or ProductPriceRevised (unit costs), CampaignCostRecorded',
    events: ['OpportunityWon', 'QuoteAccepted', ...TOUCHES, 'CampaignCostRecorded'],
    attributedTo: 'the moment the deal was won; the moment the cost was recorded',
    facts: ['deal_closed', 'campaign_cost'],
    include: (f) => f.kind === 'campaign_cost' || (won(f) && f.campaigns.length > 0 && f.margin !== null),
    groupBy: ['campaign'],
    split: 'currency',
    credited: marginMinor,
    measure: returnOnCost(marginMinor),
  },
];

function discountDepth(contributions: readonly Contribution[], q: number): Measured {
  const depths = facts(contributions)
    .filter(is('quote_sent'))
    .filter((f) => f.listMinor > 0)
    .map((f) => ((f.listMinor - f.netMinor) / f.listMinor) * 100);
  const value = quantile(depths, q);
  return { value: value === null ? null : twoDecimals(value), count: depths.length };
}

export const METRIC_IDS = METRICS.map((m) => m.id);

export const metricById = (id: string): MetricDefinition | undefined => METRICS.find((m) => m.id === id);
