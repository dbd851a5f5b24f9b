import type { ProductEvent } from '../catalog/product.js';
import type { FindingEvent } from '../compliance/finding.js';
import type { FxRateEvent } from '../fx/fxRate.js';
import type { OpportunityEvent } from '../opportunity/opportunity.js';
import type { OrderEvent } from '../order/order.js';
import type { Severity } from '../policy/policy.js';
import type { PromiseEvent } from '../promise/promise.js';
import type { QuoteEvent } from '../quote/quote.js';
import { addDays, companyDay } from '../shared/calendar.js';
import type { Money } from '../shared/money.js';
import { periodBounds } from '../shared/period.js';
import { targetKey, type TargetEvent } from '../target/target.js';
import { SALES_ROLES } from '../team/ownership.js';
import type { RepEvent } from '../team/rep.js';
import { attainmentBps, convertMinor, discountAbove, percentOf, shareOf, spiffUnits, tierCommission, withinClawbackWindow } from './arithmetic.js';
import type { IncentiveDisputeEvent } from './dispute.js';
import { revisionInForce, windowHolds, type IncentivePlanEvent, type PlanRevision } from './plan.js';
import type { IncentiveStatementEvent } from './statement.js';
import type { ComputedStatement, FxUsed, SourceRef, StatementLine } from './statementLine.js';

/**
 * The incentive ledger: everything a statement is computed from, folded from the log up to a
 * position. It is a pure function of the events it is given, so the period close and anyone who
 * recomputes a statement later, reading the log to the same position, reach the same lines to
 * the cent; an event after that position cannot change it.
 */

/** The event types a statement reads; every other event leaves the ledger as it was. */
export const LEDGER_EVENT_TYPES = [
  'OpportunityOpened',
  'OpportunityReassigned',
  'QuoteDrafted',
  'PromiseRecorded',
  'ProductPublished',
  'ProductPriceRevised',
  'OrderPlaced',
  'OrderCompleted',
  'OrderCancelled',
  'PaymentReceived',
  'RefundIssued',
  'FindingRaised',
  'FindingAcknowledged',
  'FindingRemediated',
  'FindingWaived',
  'FindingClosed',
  'RepHired',
  'RepRoleChanged',
  'RepTeamChanged',
  'TargetSet',
  'TargetRevised',
  'FxRateRecorded',
  'IncentivePlanCreated',
  'IncentivePlanRevisionPublished',
  'IncentiveCalculated',
  'IncentiveDisputeResolved',
] as const;

type AnyLedgerSource =
  | OpportunityEvent
  | QuoteEvent
  | PromiseEvent
  | ProductEvent
  | OrderEvent
  | FindingEvent
  | RepEvent
  | TargetEvent
  | FxRateEvent
  | IncentivePlanEvent
  | IncentiveStatementEvent
  | IncentiveDisputeEvent;
export type LedgerEvent = Extract<AnyLedgerSource, { type: (typeof LEDGER_EVENT_TYPES)[number] }>;

/** An event of the log as the ledger reads it: where it stands, its hash, when it occurred, and what it says. */
export type SourceEvent = { readonly streamId: string; readonly revision: number; readonly position: number; readonly hash: string; readonly occurredAt: string } & LedgerEvent;

type Dated = { readonly ref: SourceRef; readonly day: string; readonly position: number };
type CashMove = Dated & { readonly amount: bigint };

type OrderFacts = {
  orderId: string;
  quoteId: string;
  opportunityId: string | undefined;
  ownerId: string | undefined;
  currency: string;
  total: bigint;
  /** Price less the unit cost of each line, at the costs in force when the order was placed. */
  margin: bigint;
  lines: { sku: string; qty: number }[];
  listTotal: bigint;
  placed: Dated;
  quoted: SourceRef | undefined;
  completed?: Dated;
  cancelled?: Dated;
  payments: CashMove[];
  refunds: CashMove[];
};

type FindingFacts = {
  findingId: string;
  severity: Severity;
  sellerId: string;
  opportunityId: string | undefined;
  orderId: string | undefined;
  status: 'raised' | 'acknowledged' | 'remediated' | 'waived' | 'closed';
  raised: SourceRef;
  settled?: SourceRef;
  remediated?: Dated;
};

type PlanFacts = {
  planId: string;
  currency: string;
  teams: readonly string[];
  reps: readonly string[];
  window: { from: string; to?: string };
  publicResults: boolean;
  revisions: { rules: PlanRevision; ref: SourceRef }[];
};

type RecordedStatement = { data: ComputedStatement; ref: SourceRef; position: number };

export type Ledger = {
  readonly cutPosition: number;
  readonly opportunities: Map<string, { ownerId: string }>;
  readonly quotes: Map<string, { opportunityId: string; listTotal: bigint; netTotal: bigint; ref: SourceRef }>;
  readonly promises: Map<string, string | undefined>;
  readonly unitCosts: Map<string, Money>;
  readonly orders: Map<string, OrderFacts>;
  readonly findings: Map<string, FindingFacts>;
  readonly roster: Map<string, { team: string; role: string; managerId?: string }>;
  readonly targets: Map<string, { amount?: Money; ref: SourceRef }>;
  readonly fxRates: Map<string, { validOn: string; rate: string; ref: SourceRef }[]>;
  readonly plans: Map<string, PlanFacts>;
  readonly statements: RecordedStatement[];
  readonly disputes: { disputeId: string; repId: string; amount: Money; ref: SourceRef }[];
};

const refOf = (event: SourceEvent): SourceRef => ({ streamId: event.streamId, revision: event.revision, hash: event.hash });
const datedAt = (event: SourceEvent, instant: string): Dated => ({ ref: refOf(event), day: companyDay(instant), position: event.position });
const keyOf = (ref: SourceRef) => `${ref.streamId}@${ref.revision}`;

const emptyLedger = (cutPosition: number): Ledger => ({
  cutPosition,
  opportunities: new Map(),
  quotes: new Map(),
  promises: new Map(),
  unitCosts: new Map(),
  orders: new Map(),
  findings: new Map(),
  roster: new Map(),
  targets: new Map(),
  fxRates: new Map(),
  plans: new Map(),
  statements: [],
  disputes: [],
});

const OPEN_FINDING: readonly FindingFacts['status'][] = ['raised', 'acknowledged'];

/** Applies one event to the ledger. The ledger is built once per computation, so it is changed in place. */
const apply = (ledger: Ledger, event: SourceEvent): void => {
  switch (event.type) {
    case 'OpportunityOpened':
      ledger.opportunities.set(event.data.opportunityId, { ownerId: event.data.ownerId });
      return;
    case 'OpportunityReassigned':
      ledger.opportunities.set(event.data.opportunityId, { ownerId: event.data.to });
      return;
    case 'QuoteDrafted': {
      const { quoteId, opportunityId, lines } = event.data;
      const listTotal = lines.reduce((sum, line) => sum + BigInt(line.listTotal.minor), 0n);
      const netTotal = lines.reduce((sum, line) => sum + BigInt(line.netTotal.minor), 0n);
      ledger.quotes.set(quoteId, { opportunityId, listTotal, netTotal, ref: refOf(event) });
      return;
    }
    case 'PromiseRecorded':
      ledger.promises.set(event.data.promiseId, event.data.opportunityId);
      return;
    case 'ProductPublished':
    case 'ProductPriceRevised':
      ledger.unitCosts.set(event.data.sku, event.data.unitCost);
      return;
    case 'OrderPlaced': {
      const { orderId, quoteId, lines, total } = event.data;
      const quote = ledger.quotes.get(quoteId);
      const opportunityId = quote?.opportunityId;
      // Costs in another currency than the order's cannot be taken from its price: they count as nothing.
      const cost = lines.reduce((sum, line) => {
        const unitCost = ledger.unitCosts.get(line.sku);
        return unitCost && unitCost.currency === total.currency ? sum + BigInt(unitCost.minor) * BigInt(line.qty) : sum;
      }, 0n);
      const net = lines.reduce((sum, line) => sum + BigInt(line.netTotal.minor), 0n);
      ledger.orders.set(orderId, {
        orderId,
        quoteId,
        opportunityId,
        ownerId: opportunityId === undefined ? undefined : ledger.opportunities.get(opportunityId)?.ownerId,
        currency: total.currency,
        total: BigInt(total.minor),
        margin: net - cost,
        lines: lines.map(({ sku, qty }) => ({ sku, qty })),
        listTotal: quote?.listTotal ?? net,
        placed: datedAt(event, event.occurredAt),
        quoted: quote?.ref,
        payments: [],
        refunds: [],
      });
      return;
    }
    case 'OrderCompleted': {
      const order = ledger.orders.get(event.data.orderId);
      if (order) order.completed = datedAt(event, event.occurredAt);
      return;
    }
    case 'OrderCancelled': {
      const order = ledger.orders.get(event.data.orderId);
      if (order) order.cancelled = datedAt(event, event.occurredAt);
      return;
    }
    case 'PaymentReceived':
      ledger.orders.get(event.data.orderId)?.payments.push({ ...datedAt(event, event.data.receivedAt), amount: BigInt(event.data.amount.minor) });
      return;
    case 'RefundIssued':
      ledger.orders.get(event.data.orderId)?.refunds.push({ ...datedAt(event, event.data.refundedAt), amount: BigInt(event.data.amount.minor) });
      return;
    case 'FindingRaised': {
      const { findingId, severity, sellerId, subject } = event.data;
      const opportunityId =
        subject.kind === 'quote' ? ledger.quotes.get(subject.id)?.opportunityId : subject.kind === 'promise' ? ledger.promises.get(subject.id) : ledger.orders.get(subject.id)?.opportunityId;
      ledger.findings.set(findingId, {
        findingId,
        severity,
        sellerId,
        opportunityId,
        orderId: subject.kind === 'order' ? subject.id : undefined,
        status: 'raised',
        raised: refOf(event),
      });
      return;
    }
    case 'FindingAcknowledged':
    case 'FindingRemediated':
    case 'FindingWaived':
    case 'FindingClosed': {
      const finding = ledger.findings.get(event.data.findingId);
      if (!finding) return;
      if (event.type === 'FindingAcknowledged') {
        finding.status = 'acknowledged';
        return;
      }
      finding.settled = refOf(event);
      if (event.type === 'FindingRemediated') {
        finding.status = 'remediated';
        finding.remediated = datedAt(event, event.occurredAt);
      } else finding.status = event.type === 'FindingWaived' ? 'waived' : 'closed';
      return;
    }
    case 'RepHired': {
      const { actorId, team, role, managerId } = event.data;
      ledger.roster.set(actorId, { team, role, ...(managerId !== undefined ? { managerId } : {}) });
      return;
    }
    case 'RepTeamChanged': {
      const { actorId, team, managerId } = event.data;
      const entry = ledger.roster.get(actorId);
      if (entry) ledger.roster.set(actorId, { team, role: entry.role, ...(managerId !== undefined ? { managerId } : {}) });
      return;
    }
    case 'RepRoleChanged': {
      const entry = ledger.roster.get(event.data.actorId);
      if (entry) ledger.roster.set(event.data.actorId, { ...entry, role: event.data.to });
      return;
    }
    case 'TargetSet':
    case 'TargetRevised': {
      const { subject, period, metric, amount } = event.data;
      ledger.targets.set(targetKey(subject, period, metric), { ...(amount ? { amount } : {}), ref: refOf(event) });
      return;
    }
    case 'FxRateRecorded': {
      const { from, to, rate, validOn } = event.data;
      const pair = `${from}-${to}`;
      ledger.fxRates.set(pair, [...(ledger.fxRates.get(pair) ?? []), { validOn, rate, ref: refOf(event) }]);
      return;
    }
    case 'IncentivePlanCreated': {
      const { planId, currency, appliesTo, window, publicResults } = event.data;
      ledger.plans.set(planId, { planId, currency, teams: appliesTo.teams, reps: appliesTo.reps, window, publicResults, revisions: [] });
      return;
    }
    case 'IncentivePlanRevisionPublished':
      ledger.plans.get(event.data.planId)?.revisions.push({ rules: event.data, ref: refOf(event) });
      return;
    case 'IncentiveCalculated': {
      const { calculatedBy: _by, ...data } = event.data;
      ledger.statements.push({ data, ref: refOf(event), position: event.position });
      return;
    }
    case 'IncentiveDisputeResolved': {
      const { disputeId, repId, outcome, amount } = event.data;
      if (outcome === 'upheld' && amount) ledger.disputes.push({ disputeId, repId, amount, ref: refOf(event) });
      return;
    }
  }
};

/** A ledger being built as of a log position: events are added in position order, and those past the position are left out. */
export const ledgerAsOf = (cutPosition: number) => {
  const ledger = emptyLedger(cutPosition);
  return {
    ledger,
    add: (event: SourceEvent) => {
      if (event.position <= cutPosition) apply(ledger, event);
    },
  };
};

/** The ledger as of a log position, from the log's events in position order. */
export const foldLedger = (events: Iterable<SourceEvent>, cutPosition: number): Ledger => {
  const building = ledgerAsOf(cutPosition);
  for (const event of events) building.add(event);
  return building.ledger;
};

/** The plan that pays a rep on a day: one naming the rep outright, else one naming their team; with the revision in force that day. */
export const planFor = (ledger: Ledger, repId: string, day: string): { plan: PlanFacts; revision: { rules: PlanRevision; ref: SourceRef } } | undefined => {
  const team = ledger.roster.get(repId)?.team;
  const inWindow = [...ledger.plans.values()].filter((plan) => windowHolds(plan.window, day));
  const plan = inWindow.find((p) => p.reps.includes(repId)) ?? inWindow.find((p) => team !== undefined && p.teams.includes(team));
  const rules = plan && revisionInForce(plan.revisions.map((r) => r.rules), day);
  const revision = rules && plan.revisions.find((r) => r.rules.revision === rules.revision);
  return plan && revision ? { plan, revision } : undefined;
};

/** The day whose plan revision a period is paid under: its last. */
export const planDayOf = (period: string) => addDays(periodBounds(period).endDay, -1);

/** The reps a period pays: each seller on the roster with a plan in force on the period's last day; the service desk's agents a team holds are not paid by its sales plan. */
export const repsPaidIn = (ledger: Ledger, period: string): string[] =>
  [...ledger.roster]
    .filter(([repId, { role }]) => SALES_ROLES.includes(role) && planFor(ledger, repId, planDayOf(period)) !== undefined)
    .map(([repId]) => repId)
    .sort();

type Converted = { minor: bigint; fx?: FxUsed } | undefined;

const convert = (ledger: Ledger, minor: bigint, from: string, to: string, day: string): Converted => {
  if (from === to) return { minor };
  const rate = (ledger.fxRates.get(`${from}-${to}`) ?? []).filter((r) => r.validOn <= day).sort((a, b) => a.validOn.localeCompare(b.validOn)).at(-1);
  if (!rate) return undefined;
  return { minor: convertMinor(minor, from, to, rate.rate), fx: { from, to, rate: rate.rate, validOn: rate.validOn, source: rate.ref } };
};

/** A revision of a plan, with the event that published it. */
export type RevisionSource = { readonly rules: PlanRevision; readonly ref: SourceRef };

/**
 * What a statement is computed for: the rep, the period, and the plan revision: the one in force on
 * the period's last day, or another revision of the same plan for a what-if, published since perhaps.
 */
export type StatementRequest = { readonly statementId: string; readonly repId: string; readonly period: string; readonly revision?: RevisionSource };

type Credit = { order: OrderFacts; event: Dated; measure: bigint; late: boolean; fx: FxUsed | undefined };

/**
 * A rep's statement for a period, from the ledger. Lines, in order: each credit with its
 * commission by the plan's tiers, each SPIFF, each discount penalty, each hold on a deal with an
 * open finding and each release of an earlier hold, the cap, each deduction for a remediated
 * finding, each clawback of a cancelled or refunded deal, each upheld dispute, and a negative
 * balance carried from the statement before. Undefined when no plan pays the rep, or the
 * revision asked for is of another plan.
 */
export const computeStatement = (ledger: Ledger, request: StatementRequest): ComputedStatement | undefined => {
  const { statementId, repId, period } = request;
  const inForce = planFor(ledger, repId, planDayOf(period));
  if (!inForce) return undefined;
  const { plan } = inForce;
  const revision = request.revision && request.revision.rules.planId === plan.planId ? request.revision : request.revision ? undefined : inForce.revision;
  if (!revision) return undefined;
  const rules = revision.rules;
  const { currency } = plan;
  const money = (minor: bigint): Money => ({ minor: Number(minor), currency });
  const bounds = periodBounds(period);
  const lines: StatementLine[] = [];
  const add = (line: Omit<StatementLine, 'amount'> & { amount: bigint }) => lines.push({ ...line, amount: money(line.amount) });

  const earlier = ledger.statements.filter((s) => s.data.repId === repId && s.data.statementId !== statementId);
  const earlierLines = earlier.flatMap((s) => s.data.lines.map((line) => ({ line, statementId: s.data.statementId })));
  const credited = new Set(earlierLines.filter(({ line }) => line.kind === 'credit').map(({ line }) => keyOf(line.source)));
  const spiffed = new Set(earlierLines.filter(({ line }) => line.kind === 'spiff').map(({ line }) => line.orderId));
  const clawedSources = new Set(earlierLines.filter(({ line }) => line.kind === 'clawback').map(({ line }) => keyOf(line.source)));
  const deducted = new Set(earlierLines.filter(({ line }) => line.kind === 'deduction').flatMap(({ line }) => line.findingIds ?? []));
  const adjusted = new Set(earlierLines.filter(({ line }) => line.kind === 'adjustment').map(({ line }) => line.source.streamId));
  const released = new Set(earlierLines.flatMap(({ line }) => (line.releases ? [`${line.releases.statementId}/${line.releases.lineId}`] : [])));
  const EARNING: readonly StatementLine['kind'][] = ['credit', 'spiff', 'discount_penalty', 'hold', 'release'];
  const earnedBefore = new Map<string, bigint>();
  const clawedBefore = new Map<string, bigint>();
  const firstCredited = new Map<string, string>();
  for (const { line } of earlierLines) {
    if (line.orderId === undefined) continue;
    if (EARNING.includes(line.kind)) earnedBefore.set(line.orderId, (earnedBefore.get(line.orderId) ?? 0n) + BigInt(line.amount.minor));
    if (line.kind === 'clawback') clawedBefore.set(line.orderId, (clawedBefore.get(line.orderId) ?? 0n) + BigInt(line.amount.minor));
    const first = firstCredited.get(line.orderId);
    if (line.kind === 'credit' && (first === undefined || line.day < first)) firstCredited.set(line.orderId, line.day);
  }

  // Credits: each crediting event of the rep's deals not credited before, dated before the period ends and inside the plan's window.
  const repOrders = [...ledger.orders.values()].filter((order) => order.ownerId === repId);
  const creditEvents = repOrders
    .flatMap((order): { order: OrderFacts; event: Dated; share: bigint }[] =>
      rules.creditOn === 'order_completed'
        ? order.completed
          ? [{ order, event: order.completed, share: order.total }]
          : []
        : order.payments.map((payment) => ({ order, event: payment, share: payment.amount })),
    )
    .filter(({ event }) => !credited.has(keyOf(event.ref)) && event.day < bounds.endDay && event.day >= plan.window.from)
    .sort((a, b) => a.event.position - b.event.position);
  const credits: Credit[] = [];
  for (const { order, event, share } of creditEvents) {
    const measured = rules.measure === 'bookings' ? share : shareOf(order.margin, share, order.total);
    const converted = convert(ledger, measured, order.currency, currency, event.day);
    const late = event.day < bounds.firstDay;
    if (!converted) {
      add({
        lineId: `awaiting_rate:${keyOf(event.ref)}`,
        kind: 'awaiting_rate',
        amount: 0n,
        day: event.day,
        detail: `No ${order.currency} to ${currency} rate on or before ${event.day}: credited once finance records one`,
        source: event.ref,
        orderId: order.orderId,
      });
      continue;
    }
    // A deal sold below cost credits nothing rather than taking commission away.
    credits.push({ order, event, measure: converted.minor > 0n ? converted.minor : 0n, late, fx: converted.fx });
  }
  const measureTotal = credits.reduce((sum, credit) => sum + credit.measure, 0n);
  const target = ledger.targets.get(targetKey({ kind: 'rep', id: repId }, period, rules.measure));
  const targetMinor = target?.amount && target.amount.currency === currency ? BigInt(target.amount.minor) : null;
  let before = 0n;
  const dealEarnings = new Map<string, bigint>();
  const earn = (orderId: string, amount: bigint) => dealEarnings.set(orderId, (dealEarnings.get(orderId) ?? 0n) + amount);
  let commissionTotal = 0n;
  for (const credit of credits) {
    const { order, event, measure, late, fx } = credit;
    const commission = tierCommission({ tiers: rules.tiers, mode: rules.tierMode, target: targetMinor, before, measure, periodTotal: measureTotal });
    before += measure;
    commissionTotal += commission;
    earn(order.orderId, commission);
    add({
      lineId: `credit:${keyOf(event.ref)}`,
      kind: 'credit',
      amount: commission,
      day: event.day,
      detail: `${rules.measure === 'bookings' ? 'Bookings' : 'Gross margin'} of ${measure} ${currency} minor units on order ${order.orderId}, ${rules.tierMode} tiers${targetMinor === null ? ' at the first tier (no target)' : ''}`,
      source: event.ref,
      orderId: order.orderId,
      measure: money(measure),
      ...(fx ? { fx } : {}),
      ...(late ? { late } : {}),
    });
    if (!spiffed.has(order.orderId)) {
      spiffed.add(order.orderId);
      for (const spiff of rules.spiffs) {
        const units = spiffUnits(spiff, order.placed.day, order.lines);
        if (units === 0) continue;
        const amount = BigInt(spiff.amountPerUnit.minor) * BigInt(units);
        earn(order.orderId, amount);
        add({ lineId: `spiff:${order.orderId}:${spiff.sku}`, kind: 'spiff', amount, day: order.placed.day, detail: `${units} x ${spiff.sku} ordered ${spiff.from} to ${spiff.to}`, source: order.placed.ref, orderId: order.orderId });
      }
    }
    if (rules.discountPenalty && commission > 0n && discountAbove(order.listTotal, order.total, rules.discountPenalty.abovePct)) {
      const penalty = -percentOf(commission, rules.discountPenalty.reducePct);
      earn(order.orderId, penalty);
      add({
        lineId: `discount_penalty:${keyOf(event.ref)}`,
        kind: 'discount_penalty',
        amount: penalty,
        day: event.day,
        detail: `Discounted more than ${rules.discountPenalty.abovePct}% off list: ${rules.discountPenalty.reducePct}% of the commission`,
        source: order.quoted ?? order.placed.ref,
        orderId: order.orderId,
      });
    }
  }

  // Holds: a deal credited here with an open finding of a held severity keeps its earnings back until the finding is settled.
  const openFindingsOf = (order: OrderFacts) =>
    [...ledger.findings.values()].filter(
      (f) =>
        OPEN_FINDING.includes(f.status) &&
        rules.compliance.holdSeverities.includes(f.severity) &&
        ((f.opportunityId !== undefined && f.opportunityId === order.opportunityId) || f.orderId === order.orderId),
    );
  for (const [orderId, earned] of dealEarnings) {
    const order = ledger.orders.get(orderId)!;
    const open = openFindingsOf(order);
    if (open.length === 0 || earned === 0n) continue;
    earn(orderId, -earned);
    add({
      lineId: `hold:${orderId}`,
      kind: 'hold',
      amount: -earned,
      day: planDayOf(period),
      detail: `Held while ${open.map((f) => `a ${f.severity} finding`).join(', ')} stays open`,
      source: open[0]!.raised,
      orderId,
      findingIds: open.map((f) => f.findingId),
    });
  }
  for (const { line, statementId: heldOn } of earlierLines) {
    if (line.kind !== 'hold' || line.orderId === undefined || released.has(`${heldOn}/${line.lineId}`)) continue;
    const findings = (line.findingIds ?? []).map((id) => ledger.findings.get(id)).filter((f): f is FindingFacts => f !== undefined);
    if (findings.some((f) => OPEN_FINDING.includes(f.status))) continue;
    const settledBy = findings.map((f) => f.settled).filter((ref): ref is SourceRef => ref !== undefined).at(-1) ?? line.source;
    earn(line.orderId, -BigInt(line.amount.minor));
    add({
      lineId: `release:${heldOn}:${line.lineId}`,
      kind: 'release',
      amount: -BigInt(line.amount.minor),
      day: line.day,
      detail: `Released: the findings that held order ${line.orderId} on statement ${heldOn} are settled`,
      source: settledBy,
      orderId: line.orderId,
      releases: { statementId: heldOn, lineId: line.lineId },
    });
  }

  if (rules.cap) {
    const earnings = lines.filter((line) => EARNING.includes(line.kind)).reduce((sum, line) => sum + BigInt(line.amount.minor), 0n);
    const cap = BigInt(rules.cap.minor);
    if (earnings > cap) {
      add({ lineId: 'cap', kind: 'cap', amount: cap - earnings, day: planDayOf(period), detail: `The plan pays at most ${cap} ${currency} minor units a period`, source: revision.ref });
    }
  }

  // Deductions: each finding on the rep's conduct remediated by now, once.
  const findingsOfRep = [...ledger.findings.values()].filter((f) => f.sellerId === repId && f.remediated && !deducted.has(f.findingId)).sort((a, b) => a.remediated!.position - b.remediated!.position);
  for (const finding of findingsOfRep) {
    const deduction = rules.compliance.deduct[finding.severity];
    if (!deduction) continue;
    const amount = (deduction.amount ? BigInt(deduction.amount.minor) : 0n) + (deduction.pct !== undefined ? percentOf(commissionTotal, deduction.pct) : 0n);
    if (amount === 0n) continue;
    add({
      lineId: `deduction:${finding.findingId}`,
      kind: 'deduction',
      amount: -amount,
      day: finding.remediated!.day,
      detail: `A ${finding.severity} finding, remediated: ${[deduction.amount ? `${deduction.amount.minor} ${currency} minor units` : '', deduction.pct !== undefined ? `${deduction.pct}% of the period's commission` : ''].filter(Boolean).join(' and ')}`,
      source: finding.remediated!.ref,
      findingIds: [finding.findingId],
    });
  }

  // Clawbacks: a credited deal cancelled or refunded within the window after it was first credited gives back what it earned.
  for (const order of repOrders) {
    const firstCredit = [firstCredited.get(order.orderId), ...credits.filter((c) => c.order.orderId === order.orderId).map((c) => c.event.day)]
      .filter((day): day is string => day !== undefined)
      .sort()[0];
    if (firstCredit === undefined) continue;
    const earnedTotal = (earnedBefore.get(order.orderId) ?? 0n) + (dealEarnings.get(order.orderId) ?? 0n);
    let remaining = earnedTotal + (clawedBefore.get(order.orderId) ?? 0n);
    const reversals = [...order.refunds.map((refund) => ({ move: refund as Dated, refund: refund.amount })), ...(order.cancelled ? [{ move: order.cancelled, refund: undefined }] : [])].sort(
      (a, b) => a.move.position - b.move.position,
    );
    for (const { move, refund } of reversals) {
      if (clawedSources.has(keyOf(move.ref)) || remaining <= 0n || !withinClawbackWindow(firstCredit, move.day, rules.clawbackDays)) continue;
      const share = refund === undefined ? remaining : shareOf(earnedTotal, refund, order.total);
      const amount = share < remaining ? share : remaining;
      if (amount <= 0n) continue;
      remaining -= amount;
      add({
        lineId: `clawback:${keyOf(move.ref)}`,
        kind: 'clawback',
        amount: -amount,
        day: move.day,
        detail: `${refund === undefined ? 'Cancelled' : `Refunded ${refund} ${order.currency} minor units`} on ${move.day}, within ${rules.clawbackDays} days of being credited on ${firstCredit}`,
        source: move.ref,
        orderId: order.orderId,
        ...(move.day < bounds.firstDay ? { late: true } : {}),
      });
    }
  }

  for (const dispute of ledger.disputes.filter((d) => d.repId === repId && !adjusted.has(d.ref.streamId))) {
    add({
      lineId: `adjustment:${dispute.disputeId}`,
      kind: 'adjustment',
      amount: BigInt(dispute.amount.minor),
      day: bounds.firstDay,
      detail: `Dispute ${dispute.disputeId} upheld`,
      source: dispute.ref,
    });
  }

  const previous = earlier.at(-1);
  if (previous && previous.data.total.minor < 0) {
    add({
      lineId: `carried:${previous.data.statementId}`,
      kind: 'carried',
      amount: BigInt(previous.data.total.minor),
      day: bounds.firstDay,
      detail: `The negative balance of ${previous.data.period} carried forward`,
      source: previous.ref,
    });
  }

  const total = lines.reduce((sum, line) => sum + BigInt(line.amount.minor), 0n);
  const team = ledger.roster.get(repId);
  const attainment = attainmentBps(measureTotal, targetMinor);
  return {
    statementId,
    period,
    repId,
    team: team?.team ?? '',
    ...(team?.managerId !== undefined ? { managerId: team.managerId } : {}),
    planId: plan.planId,
    planRevision: { revision: rules.revision, source: revision.ref },
    currency,
    cutPosition: ledger.cutPosition,
    ...(target?.amount && targetMinor !== null ? { target: { amount: target.amount, source: target.ref } } : {}),
    measureTotal: money(measureTotal),
    ...(attainment !== null ? { attainmentBps: attainment } : {}),
    lines,
    total: money(total),
    payable: money(total > 0n ? total : 0n),
  };
};
