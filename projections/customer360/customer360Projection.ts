import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Document } from '../../application/ports/readStore.js';
import type { ComplaintCategory, ComplaintEvent, ComplaintStatus } from '../../domain/complaint/complaint.js';
import type { ComplaintSeverity } from '../../domain/complaint/serviceLevels.js';
import type { FindingEvent, FindingStatus } from '../../domain/compliance/finding.js';
import type { CustomerEvent, CustomerTier } from '../../domain/customer/customer.js';
import type { OpportunityEvent } from '../../domain/opportunity/opportunity.js';
import type { OrderEvent } from '../../domain/order/order.js';
import type { Severity } from '../../domain/policy/policy.js';
import type { PromiseEvent } from '../../domain/promise/promise.js';
import type { QuoteEvent } from '../../domain/quote/quote.js';
import type { Money } from '../../domain/shared/money.js';
import { ofTypes, type Projection, type RecordedEventOf } from '../projection.js';

export const CUSTOMER_360 = 'customer360';
export const CUSTOMER_DOCS = 'customers';

/** How many of the latest interactions the view keeps; the log keeps them all. */
export const INTERACTIONS_KEPT = 20;

/** Name, phone and e-mail are as stored: sealed. Whoever reads the view reveals them for the caller. */
export type ContactEntry = { id: string; name: string; phone?: string; email?: string; title?: string; addedAt: string };
export type InteractionEntry = { id: string; kind: string; note: string; needs: string[]; at: string };
export type OpportunityEntry = { id: string; title: string; stage: string; amount: Money; ownerId: string };
export type QuoteEntry = { id: string; status: string; total: Money };
export type PromiseEntry = { id: string; kind: string; status: string; dueDate: string; overdue: boolean };
export type OrderEntry = { id: string; status: string; total: Money; promisedDeliveryDate: string; late: boolean };
export type FindingEntry = { id: string; ruleId: string; ruleName: string; severity: Severity; status: FindingStatus; raisedAt: string };
export type ComplaintEntry = {
  id: string;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  status: ComplaintStatus;
  summary: string;
  filedAt: string;
  /** A clock ran out before it stopped. */
  breached: boolean;
  rating: number | null;
};

export type Customer360View = Document & {
  name: string;
  industry: string;
  region: string;
  tier: CustomerTier;
  creditLimit: Money | null;
  riskFlag: { flagged: boolean; reason: string | null };
  personalDataErased: boolean;
  contacts: ContactEntry[];
  /** Newest first. */
  interactions: InteractionEntry[];
  /** Open ones only: a deal won or lost leaves the list. */
  opportunities: OpportunityEntry[];
  quotes: QuoteEntry[];
  promises: PromiseEntry[];
  orders: OrderEntry[];
  /** Compliance findings about the customer's dealings, closed ones included. */
  findings: FindingEntry[];
  /** The customer's complaints, closed ones included. */
  complaints: ComplaintEntry[];
  registeredAt: string;
  updatedAt: string;
};

const CUSTOMER_TYPES = [
  'CustomerRegistered',
  'InteractionRecorded',
  'CustomerProfileUpdated',
  'CreditLimitSet',
  'RiskFlagRaised',
  'RiskFlagCleared',
  'ContactAdded',
  'CustomerPersonalDataErased',
] as const satisfies readonly CustomerEvent['type'][];
/** A lead erased with its customer changes nothing the 360 shows: the customer is marked erased already. */
type CustomerChange = Extract<CustomerEvent, { type: (typeof CUSTOMER_TYPES)[number] }>;
const OPPORTUNITY_TYPES = [
  'OpportunityOpened',
  'OpportunityStageChanged',
  'OpportunityReassigned',
  'OpportunityWon',
  'OpportunityLost',
] as const satisfies readonly OpportunityEvent['type'][];
/** Needs and source links do not change what the 360 shows of a deal. */
type OpportunityChange = Extract<OpportunityEvent, { type: (typeof OPPORTUNITY_TYPES)[number] }>;
const QUOTE_TYPES = [
  'QuoteDrafted',
  'QuoteSubmitted',
  'QuoteApproved',
  'QuoteRejected',
  'QuoteSent',
  'QuoteAccepted',
  'QuoteDeclined',
  'QuoteExpired',
] as const satisfies readonly QuoteEvent['type'][];
const PROMISE_TYPES = ['PromiseRecorded', 'PromiseFulfilled', 'PromiseBroken', 'PromiseWithdrawn', 'PromiseWentOverdue'] as const satisfies readonly PromiseEvent['type'][];
const ORDER_TYPES = [
  'OrderPlaced',
  'OrderConfirmed',
  'OrderDelivered',
  'OrderFullyDelivered',
  'OrderCompleted',
  'OrderCancelled',
] as const satisfies readonly OrderEvent['type'][];
/** Payments and refunds do not change what the 360 shows of an order. */
type OrderChange = Extract<OrderEvent, { type: (typeof ORDER_TYPES)[number] }>;

const FINDING_TYPES = ['FindingRaised', 'FindingAcknowledged', 'FindingRemediated', 'FindingWaived', 'FindingClosed'] as const satisfies readonly FindingEvent['type'][];

const COMPLAINT_TYPES = [
  'ComplaintFiled',
  'ComplaintResponded',
  'ComplaintInfoRequested',
  'ComplaintInfoReceived',
  'ComplaintSeverityChanged',
  'ComplaintResolved',
  'ComplaintReopened',
  'ComplaintClosed',
  'ComplaintRated',
  'ComplaintResponseOverdue',
  'ComplaintResolutionOverdue',
] as const satisfies readonly ComplaintEvent['type'][];
/** Notes, assignment, escalation and proposals do not change what the 360 shows of a complaint. */
type ComplaintChange = Extract<ComplaintEvent, { type: (typeof COMPLAINT_TYPES)[number] }>;

/**
 * The customer an event concerns: its data's customerId where it has one, else the one its command recorded in metadata
 * (a finding's later steps carry only the finding id in their data, and the customer in metadata).
 */
const customerOf = (event: Pick<RecordedEvent, 'data' | 'metadata'>): string | null => {
  const named = (event.data as { customerId?: unknown } | null)?.customerId ?? event.metadata.customerId;
  return typeof named === 'string' && named.length > 0 ? named : null;
};

const update = <T extends { id: string }>(list: T[], id: string, change: Partial<T>): T[] => list.map((entry) => (entry.id === id ? { ...entry, ...change } : entry));

const applyCustomer = (view: Customer360View, event: CustomerChange, at: string): Customer360View => {
  switch (event.type) {
    case 'CustomerRegistered':
      return view;
    case 'InteractionRecorded': {
      const { interactionId, kind, note, needs } = event.data;
      return { ...view, interactions: [{ id: interactionId, kind, note, needs: needs ?? [], at }, ...view.interactions].slice(0, INTERACTIONS_KEPT) };
    }
    case 'CustomerProfileUpdated': {
      const { name = view.name, industry = view.industry, region = view.region, tier = view.tier } = event.data;
      return { ...view, name, industry, region, tier };
    }
    case 'CreditLimitSet':
      return { ...view, creditLimit: event.data.limit };
    case 'RiskFlagRaised':
      return { ...view, riskFlag: { flagged: true, reason: event.data.reason } };
    case 'RiskFlagCleared':
      return { ...view, riskFlag: { flagged: false, reason: event.data.reason } };
    case 'ContactAdded': {
      const { contactId, customerId: _customer, ...contact } = event.data;
      return { ...view, contacts: [...view.contacts, { id: contactId, ...contact, addedAt: at }] };
    }
    case 'CustomerPersonalDataErased':
      return { ...view, personalDataErased: true };
  }
};

const applyOpportunity = (view: Customer360View, event: OpportunityChange): Customer360View => {
  switch (event.type) {
    case 'OpportunityOpened': {
      const { opportunityId, title, stage, amount, ownerId } = event.data;
      return { ...view, opportunities: [...view.opportunities, { id: opportunityId, title, stage, amount, ownerId }] };
    }
    case 'OpportunityStageChanged':
      return { ...view, opportunities: update(view.opportunities, event.data.opportunityId, { stage: event.data.to }) };
    case 'OpportunityReassigned':
      return { ...view, opportunities: update(view.opportunities, event.data.opportunityId, { ownerId: event.data.to }) };
    case 'OpportunityWon':
    case 'OpportunityLost':
      return { ...view, opportunities: view.opportunities.filter((o) => o.id !== event.data.opportunityId) };
  }
};

/** Quote statuses as the quote's own stream reaches them. */
const quoteStatus = (event: QuoteEvent): string => {
  switch (event.type) {
    case 'QuoteDrafted':
      return 'draft';
    case 'QuoteSubmitted':
      return event.data.approvalRequired ? 'pending_approval' : 'approved';
    case 'QuoteApproved':
      return 'approved';
    case 'QuoteRejected':
      return 'rejected';
    case 'QuoteSent':
      return 'sent';
    case 'QuoteAccepted':
      return 'accepted';
    case 'QuoteDeclined':
      return 'declined';
    case 'QuoteExpired':
      return 'expired';
  }
};

const applyQuote = (view: Customer360View, event: QuoteEvent): Customer360View => {
  if (event.type === 'QuoteDrafted') {
    return { ...view, quotes: [...view.quotes, { id: event.data.quoteId, status: 'draft', total: event.data.total }] };
  }
  return { ...view, quotes: update(view.quotes, event.data.quoteId, { status: quoteStatus(event) }) };
};

const applyPromise = (view: Customer360View, event: PromiseEvent): Customer360View => {
  switch (event.type) {
    case 'PromiseRecorded': {
      const { promiseId, kind, dueDate } = event.data;
      return { ...view, promises: [...view.promises, { id: promiseId, kind, status: 'open', dueDate, overdue: false }] };
    }
    case 'PromiseFulfilled':
      return { ...view, promises: update(view.promises, event.data.promiseId, { status: 'fulfilled' }) };
    case 'PromiseBroken':
      return { ...view, promises: update(view.promises, event.data.promiseId, { status: 'broken' }) };
    case 'PromiseWithdrawn':
      return { ...view, promises: update(view.promises, event.data.promiseId, { status: 'withdrawn' }) };
    case 'PromiseWentOverdue':
      return { ...view, promises: update(view.promises, event.data.promiseId, { overdue: true }) };
  }
};

const applyOrder = (view: Customer360View, event: OrderChange): Customer360View => {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, total, promisedDeliveryDate } = event.data;
      return { ...view, orders: [...view.orders, { id: orderId, status: 'placed', total, promisedDeliveryDate, late: false }] };
    }
    case 'OrderConfirmed':
      return { ...view, orders: update(view.orders, event.data.orderId, { status: 'confirmed' }) };
    case 'OrderDelivered': {
      // One late delivery makes the order late, whatever the next one does.
      const late = view.orders.find((o) => o.id === event.data.orderId)?.late === true || event.data.late;
      return { ...view, orders: update(view.orders, event.data.orderId, { late }) };
    }
    case 'OrderFullyDelivered':
      return { ...view, orders: update(view.orders, event.data.orderId, { late: event.data.late }) };
    case 'OrderCompleted':
      return { ...view, orders: update(view.orders, event.data.orderId, { status: 'completed' }) };
    case 'OrderCancelled':
      return { ...view, orders: update(view.orders, event.data.orderId, { status: 'cancelled' }) };
  }
};

const applyFinding = (view: Customer360View, event: FindingEvent): Customer360View => {
  switch (event.type) {
    case 'FindingRaised': {
      const { findingId, ruleId, ruleName, severity, raisedAt } = event.data;
      return { ...view, findings: [...view.findings, { id: findingId, ruleId, ruleName, severity, status: 'raised', raisedAt }] };
    }
    case 'FindingAcknowledged':
      return { ...view, findings: update(view.findings, event.data.findingId, { status: 'acknowledged' }) };
    case 'FindingRemediated':
      return { ...view, findings: update(view.findings, event.data.findingId, { status: 'remediated' }) };
    case 'FindingWaived':
      return { ...view, findings: update(view.findings, event.data.findingId, { status: 'waived' }) };
    case 'FindingClosed':
      return { ...view, findings: update(view.findings, event.data.findingId, { status: 'closed' }) };
  }
};

const applyComplaint = (view: Customer360View, event: ComplaintChange): Customer360View => {
  const { complaintId } = event.data;
  const entry = view.complaints.find((c) => c.id === complaintId);
  switch (event.type) {
    case 'ComplaintFiled': {
      const { category, severity, summary, filedAt } = event.data;
      const filed: ComplaintEntry = { id: complaintId, category, severity, status: 'open', summary, filedAt, breached: false, rating: null };
      return { ...view, complaints: [...view.complaints, filed] };
    }
    case 'ComplaintResponded':
      return { ...view, complaints: update(view.complaints, complaintId, { breached: entry?.breached === true || !event.data.withinTarget }) };
    case 'ComplaintInfoRequested':
      return { ...view, complaints: update(view.complaints, complaintId, { status: 'awaiting_customer' }) };
    case 'ComplaintInfoReceived':
    case 'ComplaintReopened':
      return { ...view, complaints: update(view.complaints, complaintId, { status: 'open' }) };
    case 'ComplaintSeverityChanged':
      return { ...view, complaints: update(view.complaints, complaintId, { severity: event.data.to }) };
    case 'ComplaintResolved':
      return { ...view, complaints: update(view.complaints, complaintId, { status: 'resolved', breached: entry?.breached === true || !event.data.withinTarget }) };
    case 'ComplaintClosed':
      return { ...view, complaints: update(view.complaints, complaintId, { status: 'closed' }) };
    case 'ComplaintRated':
      return { ...view, complaints: update(view.complaints, complaintId, { rating: event.data.csat }) };
    case 'ComplaintResponseOverdue':
    case 'ComplaintResolutionOverdue':
      return { ...view, complaints: update(view.complaints, complaintId, { breached: true }) };
  }
};

const isCustomerEvent = ofTypes(CUSTOMER_TYPES);
const isOpportunityEvent = ofTypes(OPPORTUNITY_TYPES);
const isQuoteEvent = ofTypes(QUOTE_TYPES);
const isPromiseEvent = ofTypes(PROMISE_TYPES);
const isOrderEvent = ofTypes(ORDER_TYPES);
const isFindingEvent = ofTypes(FINDING_TYPES);
const isComplaintEvent = ofTypes(COMPLAINT_TYPES);

type Handled = (
  | typeof CUSTOMER_TYPES
  | typeof OPPORTUNITY_TYPES
  | typeof QUOTE_TYPES
  | typeof PROMISE_TYPES
  | typeof ORDER_TYPES
  | typeof FINDING_TYPES
  | typeof COMPLAINT_TYPES
)[number];

/** What an event of each aggregate the 360 follows changes on the customer's page. */
const applied = (view: Customer360View, event: RecordedEventOf<Handled>, at: string): Customer360View => {
  if (isCustomerEvent(event)) return applyCustomer(view, event, at);
  if (isOpportunityEvent(event)) return applyOpportunity(view, event);
  if (isQuoteEvent(event)) return applyQuote(view, event);
  if (isPromiseEvent(event)) return applyPromise(view, event);
  if (isOrderEvent(event)) return applyOrder(view, event);
  if (isFindingEvent(event)) return applyFinding(view, event);
  if (isComplaintEvent(event)) return applyComplaint(view, event);
  return view;
};

/**
 * One document per customer with everything a seller needs on one page: the profile and
 * account terms, contacts (sealed), the latest interactions, and the customer's open deals,
 * quotes, promises and orders, the compliance findings about them and the customer's complaints,
 * each kept current as its own stream moves.
 */
export const customer360Projection: Projection<Handled> = {
  name: CUSTOMER_360,
  // 2: findings listed; the bump rebuilds existing views so they hold the findings already raised. 3: complaints listed.
  version: 3,
  collections: [{ name: CUSTOMER_DOCS, indexes: { tier: 'string', region: 'string' } }],
  handles: [...CUSTOMER_TYPES, ...OPPORTUNITY_TYPES, ...QUOTE_TYPES, ...PROMISE_TYPES, ...ORDER_TYPES, ...FINDING_TYPES, ...COMPLAINT_TYPES],
  documentsFor: (event) => {
    const customerId = customerOf(event);
    return customerId ? [{ collection: CUSTOMER_DOCS, id: customerId }] : [];
  },
  apply(event, view) {
    const customerId = customerOf(event);
    if (!customerId) return;
    const at = String(event.metadata.occurredAt);
    if (event.type === 'CustomerRegistered') {
      const { name, industry, region } = event.data;
      const registered: Customer360View = {
        id: customerId,
        name,
        industry,
        region,
        tier: 'standard',
        creditLimit: null,
        riskFlag: { flagged: false, reason: null },
        personalDataErased: false,
        contacts: [],
        interactions: [],
        opportunities: [],
        quotes: [],
        promises: [],
        orders: [],
        findings: [],
        complaints: [],
        registeredAt: at,
        updatedAt: at,
      };
      view.put(CUSTOMER_DOCS, registered);
      return;
    }
    const current = view.get(CUSTOMER_DOCS, customerId) as Customer360View | null;
    if (!current) return;
    view.put(CUSTOMER_DOCS, { ...applied(current, event, at), updatedAt: at });
  },
};
