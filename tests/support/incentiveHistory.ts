import type { StoredEvent } from '../../domain/aggregates.js';
import type { SourceEvent } from '../../domain/incentive/ledger.js';
import type { PlanRules } from '../../domain/incentive/plan.js';
import type { ComputedStatement } from '../../domain/incentive/statementLine.js';

export const cny = (minor: number) => ({ minor, currency: 'CNY' });

/** The plan rules most ledger specs start from: credit on payment, bookings, marginal tiers 2% / 5% / 8%, a 30-day clawback. */
export const PLAN_RULES: PlanRules = {
  effectiveFrom: '2026-10-01',
  creditOn: 'payment_received',
  measure: 'bookings',
  tierMode: 'marginal',
  tiers: [
    { fromPct: 0, toPct: 50, ratePct: 2 },
    { fromPct: 50, toPct: 100, ratePct: 5 },
    { fromPct: 100, ratePct: 8 },
  ],
  spiffs: [],
  compliance: { holdSeverities: ['high', 'critical'], deduct: {} },
  clawbackDays: 30,
};

type Data<Type extends StoredEvent['type']> = Extract<StoredEvent, { type: Type }>['data'];

/**
 * A log of the events a statement reads, written as a sales history reads: each event gets the
 * next position, its stream's next revision, a hash of its own, and the instant it occurred. Events
 * the ledger does not read (approvals, a customer's registration) are kept for the views' specs.
 */
export class IncentiveHistory {
  readonly events: SourceEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private orderCount = 0;

  at(instant: string) {
    this.now = instant;
    return this;
  }

  private now = '2026-10-01T01:00:00.000Z';

  get position() {
    return this.events.length;
  }

  add<Type extends StoredEvent['type']>(streamId: string, type: Type, data: Data<Type>): SourceEvent {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    const position = this.events.length + 1;
    const event = { streamId, revision, position, hash: position.toString(16).padStart(64, '0'), occurredAt: this.now, type, data } as SourceEvent;
    this.events.push(event);
    return event;
  }

  /** The roster, a plan for team east with its first revision, and a bookings target per rep. */
  setUp(options: { rules?: Partial<PlanRules>; targets?: Record<string, number>; reps?: string[] } = {}) {
    for (const rep of options.reps ?? ['rep-1']) this.add(`rep-${rep}`, 'RepHired', { actorId: rep, name: rep, team: 'east', role: 'sales_rep', managerId: 'mgr-1' });
    this.add('incentiveplan-plan-1', 'IncentivePlanCreated', {
      planId: 'plan-1',
      name: 'East',
      currency: 'CNY',
      appliesTo: { teams: ['east'], reps: [] },
      window: { from: '2026-10-01' },
      publicResults: false,
      createdBy: 'fin-1',
    });
    this.publish({ ...PLAN_RULES, ...options.rules }, 1);
    for (const [rep, minor] of Object.entries(options.targets ?? { 'rep-1': 1_000_000 })) {
      this.add(`target-${rep}`, 'TargetSet', { targetId: `t-${rep}`, subject: { kind: 'rep', id: rep }, period: '2026-Q4', metric: 'bookings', amount: cny(minor), setBy: 'mgr-1' });
    }
    this.add('product-FW', 'ProductPublished', {
      sku: 'FW',
      name: 'Firewall',
      capabilities: [],
      maxSla: { availabilityPct: 99.9, responseHours: 4 },
      leadTimeDays: 1,
      listPrice: cny(100_000),
      floorPrice: cny(50_000),
      unitCost: cny(40_000),
    });
    return this;
  }

  publish(rules: PlanRules, revision: number) {
    return this.add('incentiveplan-plan-1', 'IncentivePlanRevisionPublished', { ...rules, planId: 'plan-1', revision, publishedBy: 'fin-1' });
  }

  /** An order of `qty` firewalls sold by `owner` at `discountPct` off a list of 1,000.00 each. */
  order(owner = 'rep-1', qty = 1, discountPct = 0, currency = 'CNY') {
    const n = ++this.orderCount;
    const [opportunityId, quoteId, orderId] = [`opp${n}`, `q${n}`, `o${n}`];
    const list = 100_000 * qty;
    const net = Math.round(list * (1 - discountPct / 100));
    const money = (minor: number) => ({ minor, currency });
    this.add(`opportunity-${opportunityId}`, 'OpportunityOpened', { opportunityId, customerId: 'c1', title: 'Deal', ownerId: owner, amount: money(list), stage: 'qualification' });
    this.add(`quote-${quoteId}`, 'QuoteDrafted', {
      quoteId,
      opportunityId,
      customerId: 'c1',
      ownerId: owner,
      validUntil: '2027-12-31T00:00:00.000Z',
      lines: [
        { sku: 'FW', qty, listPrice: money(100_000), floorPrice: money(50_000), unitPrice: money(100_000), discountPct, listTotal: money(list), discountAmount: money(list - net), netTotal: money(net) },
      ],
      subtotal: money(list),
      discountTotal: money(list - net),
      total: money(net),
    });
    this.add(`order-${orderId}`, 'OrderPlaced', {
      orderId,
      quoteId,
      customerId: 'c1',
      lines: [{ sku: 'FW', qty, unitPrice: money(100_000), netTotal: money(net) }],
      total: money(net),
      promisedDeliveryDate: '2027-01-31',
      creditCheck: { limit: null, openOrdersTotal: money(0), riskFlagged: false },
    });
    return { orderId, opportunityId, quoteId, total: net };
  }

  pay(orderId: string, minor: number, receivedAt = this.now, currency = 'CNY') {
    return this.add(`order-${orderId}`, 'PaymentReceived', {
      orderId,
      customerId: 'c1',
      paymentId: `p${this.position}`,
      amount: { minor, currency },
      receivedAt,
      reference: `ref-${this.position}`,
      paidToDate: { minor, currency },
    });
  }

  complete(orderId: string, total: number) {
    return this.add(`order-${orderId}`, 'OrderCompleted', { orderId, customerId: 'c1', total: cny(total) });
  }

  cancel(orderId: string, total: number) {
    return this.add(`order-${orderId}`, 'OrderCancelled', { orderId, customerId: 'c1', total: cny(total), reason: 'withdrawn' });
  }

  refund(orderId: string, minor: number, refundedAt = this.now) {
    return this.add(`order-${orderId}`, 'RefundIssued', { orderId, customerId: 'c1', refundId: `r${this.position}`, amount: cny(minor), reason: 'returned', refundedAt, paidToDate: cny(0) });
  }

  /** A finding on a promise made on the deal. */
  finding(opportunityId: string, severity: 'low' | 'medium' | 'high' | 'critical', sellerId = 'rep-1') {
    const promiseId = `pr${this.position}`;
    this.add(`promise-${promiseId}`, 'PromiseRecorded', {
      promiseId,
      customerId: 'c1',
      opportunityId,
      kind: 'other',
      statement: 'absolutely secure',
      committed: {},
      dueDate: '2027-01-31',
      madeBy: sellerId,
      recordedAt: this.now,
    });
    const findingId = `f${this.position}`;
    this.add(`finding-${findingId}`, 'FindingRaised', {
      findingId,
      ruleId: 'CMP-01',
      ruleName: 'No absolute claims',
      severity,
      policyRevision: 1,
      detail: 'absolute',
      evidence: [{ streamId: `promise-${promiseId}`, revision: 0, hash: 'a'.repeat(64) }],
      sellerId,
      subject: { kind: 'promise', id: promiseId },
      raisedAt: this.now,
    });
    return findingId;
  }

  remediate(findingId: string) {
    this.add(`finding-${findingId}`, 'FindingAcknowledged', { findingId, acknowledgedBy: 'rep-1' });
    return this.add(`finding-${findingId}`, 'FindingRemediated', { findingId, remediatedBy: 'rep-1', evidence: 'corrected' });
  }

  /** A statement as the close records it. */
  record(statement: ComputedStatement) {
    return this.add(`incentivestatement-${statement.statementId}`, 'IncentiveCalculated', { ...statement, calculatedBy: 'incentive-close' });
  }
}
