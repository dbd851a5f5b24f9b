import type { Document } from '../../application/ports/readStore.js';
import type { ProductEvent } from '../../domain/catalog/product.js';
import type { CustomerEvent } from '../../domain/customer/customer.js';
import type { OpportunityEvent } from '../../domain/opportunity/opportunity.js';
import type { OrderEvent } from '../../domain/order/order.js';
import type { QuoteEvent } from '../../domain/quote/quote.js';
import { companyDay } from '../../domain/shared/calendar.js';
import type { Money } from '../../domain/shared/money.js';
import { periodsOfDay } from '../../domain/shared/period.js';
import type { TargetEvent, TargetMetric, TargetSubjectKind } from '../../domain/target/target.js';
import type { RepEvent } from '../../domain/team/rep.js';
import type { DocumentRef, Projection, ProjectionWriter } from '../projection.js';

export const ATTAINMENT = 'attainment';
/** One document per subject (rep, team, region) and period (month, quarter, year): its targets and what it reached. */
export const ATTAINMENT_DOCS = 'attainment';
const DEALS = 'attainment_deals';
const QUOTES = 'attainment_quotes';
const ORDERS = 'attainment_orders';
const CUSTOMERS = 'attainment_customers';
const SELLERS = 'attainment_reps';
const COSTS = 'attainment_costs';

/** Sums by currency in minor units: a view of many deals may hold several currencies, and only the target's is measured against it. */
export type ByCurrency = Record<string, number>;

export type AttainmentView = Document & {
  subjectKind: TargetSubjectKind;
  subjectId: string;
  period: string;
  /** The team of a rep row, as the roster had it when its latest deal was booked. */
  team: string | null;
  targets: Partial<Record<Exclude<TargetMetric, 'new_customers'>, Money>> & { new_customers?: number };
  booked: ByCurrency;
  grossMargin: ByCurrency;
  collected: ByCurrency;
  newCustomers: number;
  orders: number;
};

type DealView = Document & { ownerId: string };
type QuoteView = Document & { opportunityId: string };
type OrderView = Document & { ownerId: string | null; team: string | null; region: string | null; customerId: string; day: string; total: Money; margin: number; newCustomer: boolean };
type CustomerView = Document & { region: string; firstOrderId: string | null };
type SellerView = Document & { team: string };
type CostView = Document & { unitCost: Money };

export const attainmentId = (kind: TargetSubjectKind, subjectId: string, period: string) => `${kind}|${subjectId}|${period}`;

type Change = { booked?: number; grossMargin?: number; collected?: number; currency: string; newCustomers?: number; orders?: number };

const add = (sums: ByCurrency, currency: string, minor: number | undefined): ByCurrency => (minor === undefined || minor === 0 ? sums : { ...sums, [currency]: (sums[currency] ?? 0) + minor });

/** Adds a change to the month, quarter and year of a day, for each of the subjects a deal counts for. */
const credit = (view: ProjectionWriter, subjects: [TargetSubjectKind, string | null][], day: string, change: Change, team: string | null) => {
  for (const [kind, subjectId] of subjects) {
    if (subjectId === null) continue;
    for (const period of periodsOfDay(day)) {
      const id = attainmentId(kind, subjectId, period);
      const doc = (view.get(ATTAINMENT_DOCS, id) as AttainmentView | null) ?? fresh(kind, subjectId, period);
      view.put(ATTAINMENT_DOCS, {
        ...doc,
        ...(kind === 'rep' && team !== null ? { team } : {}),
        booked: add(doc.booked, change.currency, change.booked),
        grossMargin: add(doc.grossMargin, change.currency, change.grossMargin),
        collected: add(doc.collected, change.currency, change.collected),
        newCustomers: doc.newCustomers + (change.newCustomers ?? 0),
        orders: doc.orders + (change.orders ?? 0),
      });
    }
  }
};

const fresh = (subjectKind: TargetSubjectKind, subjectId: string, period: string): AttainmentView => ({
  id: attainmentId(subjectKind, subjectId, period),
  subjectKind,
  subjectId,
  period,
  team: null,
  targets: {},
  booked: {},
  grossMargin: {},
  collected: {},
  newCustomers: 0,
  orders: 0,
});

const subjectsOf = (order: OrderView): [TargetSubjectKind, string | null][] => [
  ['rep', order.ownerId],
  ['team', order.team],
  ['region', order.region],
];

type Handled =
  | Extract<TargetEvent['type'], string>
  | Extract<OpportunityEvent['type'], 'OpportunityOpened' | 'OpportunityReassigned'>
  | Extract<QuoteEvent['type'], 'QuoteDrafted'>
  | Extract<CustomerEvent['type'], 'CustomerRegistered' | 'CustomerProfileUpdated'>
  | Extract<RepEvent['type'], 'RepHired' | 'RepTeamChanged'>
  | Extract<ProductEvent['type'], 'ProductPublished' | 'ProductPriceRevised'>
  | Extract<OrderEvent['type'], 'OrderPlaced' | 'OrderCancelled' | 'PaymentReceived' | 'RefundIssued'>;

/**
 * Attainment per rep, team and region, for every month, quarter and year: the targets set, what
 * was booked (orders placed, less those cancelled), its gross margin, what was collected (payments
 * less refunds) and how many customers placed their first order. A deal counts for the seller who
 * owned it when it was ordered, their team then, and the customer's region. A team's target is its
 * own figure, set for it: it need not be the sum of its reps' targets.
 */
export const attainmentProjection: Projection<Handled> = {
  name: ATTAINMENT,
  version: 1,
  collections: [
    { name: ATTAINMENT_DOCS, indexes: { period: 'string', subjectKind: 'string', subjectId: 'string', team: 'string' }, loadWhole: true },
    // One per deal and per customer: read by id (documentsFor, documentsThrough), not held whole.
    { name: DEALS, indexes: {} },
    { name: CUSTOMERS, indexes: {} },
    { name: SELLERS, indexes: {}, loadWhole: true },
    { name: COSTS, indexes: {}, loadWhole: true },
    { name: QUOTES, indexes: {} },
    { name: ORDERS, indexes: {} },
  ],
  handles: [
    'TargetSet',
    'TargetRevised',
    'OpportunityOpened',
    'OpportunityReassigned',
    'QuoteDrafted',
    'CustomerRegistered',
    'CustomerProfileUpdated',
    'RepHired',
    'RepTeamChanged',
    'ProductPublished',
    'ProductPriceRevised',
    'OrderPlaced',
    'OrderCancelled',
    'PaymentReceived',
    'RefundIssued',
  ],
  documentsFor: (event): DocumentRef[] => {
    switch (event.type) {
      case 'QuoteDrafted':
        return [{ collection: QUOTES, id: event.data.quoteId }];
      case 'OrderPlaced':
        return [
          { collection: QUOTES, id: event.data.quoteId },
          { collection: ORDERS, id: event.data.orderId },
          { collection: CUSTOMERS, id: event.data.customerId },
        ];
      case 'CustomerProfileUpdated':
        return [{ collection: CUSTOMERS, id: event.data.customerId }];
      case 'OrderCancelled':
      case 'PaymentReceived':
      case 'RefundIssued':
        return [{ collection: ORDERS, id: event.data.orderId }];
      default:
        return [];
    }
  },
  /** The deal an order's quote was drafted for, whose owner the order is credited to. */
  documentsThrough: (event, view): DocumentRef[] => {
    if (event.type !== 'OrderPlaced') return [];
    const quote = view.get(QUOTES, event.data.quoteId) as QuoteView | null;
    return quote ? [{ collection: DEALS, id: quote.opportunityId }] : [];
  },
  apply(event, view) {
    switch (event.type) {
      case 'TargetSet':
      case 'TargetRevised': {
        const { subject, period, metric, amount, count } = event.data;
        const id = attainmentId(subject.kind, subject.id, period);
        const doc = (view.get(ATTAINMENT_DOCS, id) as AttainmentView | null) ?? fresh(subject.kind, subject.id, period);
        view.put(ATTAINMENT_DOCS, { ...doc, targets: { ...doc.targets, [metric]: metric === 'new_customers' ? count : amount } });
        return;
      }
      case 'OpportunityOpened':
        view.put(DEALS, { id: event.data.opportunityId, ownerId: event.data.ownerId } satisfies DealView);
        return;
      case 'OpportunityReassigned':
        view.put(DEALS, { id: event.data.opportunityId, ownerId: event.data.to } satisfies DealView);
        return;
      case 'QuoteDrafted':
        view.put(QUOTES, { id: event.data.quoteId, opportunityId: event.data.opportunityId } satisfies QuoteView);
        return;
      case 'CustomerRegistered':
        view.put(CUSTOMERS, { id: event.data.customerId, region: event.data.region, firstOrderId: null } satisfies CustomerView);
        return;
      case 'CustomerProfileUpdated': {
        const customer = view.get(CUSTOMERS, event.data.customerId) as CustomerView | null;
        if (customer && event.data.region !== undefined) view.put(CUSTOMERS, { ...customer, region: event.data.region });
        return;
      }
      case 'RepHired':
      case 'RepTeamChanged':
        view.put(SELLERS, { id: event.data.actorId, team: event.data.team } satisfies SellerView);
        return;
      case 'ProductPublished':
      case 'ProductPriceRevised':
        view.put(COSTS, { id: event.data.sku, unitCost: event.data.unitCost } satisfies CostView);
        return;
      case 'OrderPlaced': {
        const { orderId, quoteId, customerId, lines, total } = event.data;
        const quote = view.get(QUOTES, quoteId) as QuoteView | null;
        const ownerId = quote ? ((view.get(DEALS, quote.opportunityId) as DealView | null)?.ownerId ?? null) : null;
        const team = ownerId === null ? null : ((view.get(SELLERS, ownerId) as SellerView | null)?.team ?? null);
        const customer = view.get(CUSTOMERS, customerId) as CustomerView | null;
        const cost = lines.reduce((sum, line) => {
          const unitCost = (view.get(COSTS, line.sku) as CostView | null)?.unitCost;
          return unitCost && unitCost.currency === total.currency ? sum + unitCost.minor * line.qty : sum;
        }, 0);
        const newCustomer = customer !== null && customer.firstOrderId === null;
        if (customer && newCustomer) view.put(CUSTOMERS, { ...customer, firstOrderId: orderId });
        const day = companyDay(String(event.metadata.occurredAt));
        const order: OrderView = { id: orderId, ownerId, team, region: customer?.region ?? null, customerId, day, total, margin: total.minor - cost, newCustomer };
        view.put(ORDERS, order);
        credit(view, subjectsOf(order), day, { currency: total.currency, booked: total.minor, grossMargin: order.margin, newCustomers: newCustomer ? 1 : 0, orders: 1 }, team);
        return;
      }
      case 'OrderCancelled': {
        const order = view.get(ORDERS, event.data.orderId) as OrderView | null;
        if (!order) return;
        credit(view, subjectsOf(order), order.day, { currency: order.total.currency, booked: -order.total.minor, grossMargin: -order.margin, newCustomers: order.newCustomer ? -1 : 0, orders: -1 }, null);
        return;
      }
      case 'PaymentReceived':
      case 'RefundIssued': {
        const order = view.get(ORDERS, event.data.orderId) as OrderView | null;
        if (!order) return;
        const sign = event.type === 'PaymentReceived' ? 1 : -1;
        const day = companyDay(event.type === 'PaymentReceived' ? event.data.receivedAt : event.data.refundedAt);
        credit(view, subjectsOf(order), day, { currency: event.data.amount.currency, collected: sign * event.data.amount.minor }, null);
        return;
      }
    }
  },
};
