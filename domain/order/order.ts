import { z } from 'zod';
import type { CustomerFacts } from '../customer/customer.js';
import type { Aggregate } from '../shared/aggregate.js';
import { decideByCommand, refuse, type Decider, type DecisionContext, type EventOf, type Refusal, type Rule } from '../shared/decider.js';
import { Money, moneyOf, withinAmountLimit, type ExactSum } from '../shared/money.js';
import { companyDay } from '../shared/calendar.js';

export const ORDER_CATEGORY = 'order';
export const orderStreamId = (orderId: string) => `${ORDER_CATEGORY}-${orderId}`;

// Events: stored shapes are a contract, changed only by adding fields or upcasting.

export const OrderLine = z.object({
  sku: z.string(),
  qty: z.number().int(),
  unitPrice: Money,
  netTotal: Money,
});
export type OrderLine = z.infer<typeof OrderLine>;

export const DeliveryLine = z.object({ sku: z.string(), qty: z.number().int() });
export type DeliveryLine = z.infer<typeof DeliveryLine>;

export const OverriddenCheck = z.enum(['credit_limit', 'risk_flag']);
export type OverriddenCheck = z.infer<typeof OverriddenCheck>;

export const orderEventSchemas = {
  OrderPlaced: z.object({
    orderId: z.string(),
    quoteId: z.string(),
    customerId: z.string(),
    lines: z.array(OrderLine),
    total: Money,
    promisedDeliveryDate: z.iso.date(),
    /** The credit facts the order was judged on, so an audit sees what the decision saw. */
    creditCheck: z.object({
      limit: Money.nullable(),
      openOrdersTotal: Money,
      riskFlagged: z.boolean(),
    }),
    /** Present only when finance let the order through a credit or risk refusal. */
    creditOverride: z
      .object({
        reason: z.string(),
        by: z.object({ id: z.string(), role: z.string() }),
        overrode: z.array(OverriddenCheck),
      })
      .optional(),
  }),
  OrderConfirmed: z.object({
    orderId: z.string(),
    customerId: z.string(),
  }),
  OrderDelivered: z.object({
    orderId: z.string(),
    customerId: z.string(),
    deliveryId: z.string(),
    lines: z.array(DeliveryLine),
    /** Every ordered sku with what has been delivered of it so far, this delivery included. */
    deliveredToDate: z.array(z.object({ sku: z.string(), ordered: z.number().int(), delivered: z.number().int() })),
    /** Delivered on a day after the promised delivery date. */
    late: z.boolean(),
  }),
  /** Follows the delivery that completed the order; `late` when that delivery was. */
  OrderFullyDelivered: z.object({
    orderId: z.string(),
    customerId: z.string(),
    promisedDeliveryDate: z.iso.date(),
    late: z.boolean(),
  }),
  /** Completion and cancellation carry the total, so a view of open exposure needs no lookup. */
  OrderCompleted: z.object({
    orderId: z.string(),
    customerId: z.string(),
    total: Money,
  }),
  OrderCancelled: z.object({
    orderId: z.string(),
    customerId: z.string(),
    total: Money,
    reason: z.string(),
  }),
  /** Cash the customer paid against the order (finance); paidToDate is net of refunds, this payment included. */
  PaymentReceived: z.object({
    orderId: z.string(),
    customerId: z.string(),
    paymentId: z.string(),
    amount: Money,
    receivedAt: z.iso.datetime(),
    reference: z.string(),
    paidToDate: Money,
  }),
  /** Cash paid back to the customer; paidToDate is what remains paid after it. */
  RefundIssued: z.object({
    orderId: z.string(),
    customerId: z.string(),
    refundId: z.string(),
    amount: Money,
    reason: z.string(),
    refundedAt: z.iso.datetime(),
    paidToDate: Money,
  }),
} as const;

/** Each event read off its schema: the types are never written out by hand. */
export type OrderEvent = EventOf<typeof orderEventSchemas>;

// State

type Progress = z.infer<typeof orderEventSchemas.OrderDelivered>['deliveredToDate'];

export type Order =
  | { status: 'none' }
  | {
      status: 'placed' | 'confirmed' | 'completed' | 'cancelled';
      orderId: string;
      customerId: string;
      total: Money;
      promisedDeliveryDate: string;
      progress: Progress;
      deliveryIds: readonly string[];
      /** Paid so far, net of refunds, in the order's currency. */
      paidMinor: number;
      paymentReferences: readonly string[];
      refundIds: readonly string[];
    };

/** Quantities ordered per sku, in the order the skus first appear on the order. */
const orderedProgress = (lines: readonly OrderLine[]): Progress => {
  const ordered = new Map<string, number>();
  for (const { sku, qty } of lines) ordered.set(sku, (ordered.get(sku) ?? 0) + qty);
  return [...ordered].map(([sku, qty]) => ({ sku, ordered: qty, delivered: 0 }));
};

export const initialState = (): Order => ({ status: 'none' });

export const evolve = (state: Order, event: OrderEvent): Order => {
  if (event.type === 'OrderPlaced') {
    const { orderId, customerId, total, promisedDeliveryDate, lines } = event.data;
    return {
      status: 'placed',
      orderId,
      customerId,
      total,
      promisedDeliveryDate,
      progress: orderedProgress(lines),
      deliveryIds: [],
      paidMinor: 0,
      paymentReferences: [],
      refundIds: [],
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'OrderConfirmed':
      return { ...state, status: 'confirmed' };
    case 'OrderDelivered':
      return { ...state, progress: event.data.deliveredToDate, deliveryIds: [...state.deliveryIds, event.data.deliveryId] };
    case 'OrderFullyDelivered':
      return state;
    case 'OrderCompleted':
      return { ...state, status: 'completed' };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled' };
    case 'PaymentReceived':
      return { ...state, paidMinor: event.data.paidToDate.minor, paymentReferences: [...state.paymentReferences, event.data.reference] };
    case 'RefundIssued':
      return { ...state, paidMinor: event.data.paidToDate.minor, refundIds: [...state.refundIds, event.data.refundId] };
  }
};

// Commands

/**
 * An order from an accepted quote. The customer, lines and total are the order desk's own copy
 * (the customer's purchase order), when it gives one: each must match the quote as its stream
 * records it. What it leaves out is taken from the quote.
 */
export type PlaceOrder = {
  type: 'PlaceOrder';
  orderId: string;
  quoteId: string;
  customerId?: string;
  lines?: OrderLine[];
  total?: Money;
  /** A calendar date, YYYY-MM-DD. */
  promisedDeliveryDate: string;
  creditOverride?: { reason: string };
};
export type ConfirmOrder = { type: 'ConfirmOrder' };
export type DeliverOrder = { type: 'DeliverOrder'; deliveryId: string; lines: DeliveryLine[] };
export type CompleteOrder = { type: 'CompleteOrder' };
export type CancelOrder = { type: 'CancelOrder'; reason: string };
export type ReceivePayment = { type: 'ReceivePayment'; paymentId: string; amount: Money; receivedAt: string; reference: string };
export type IssueRefund = { type: 'IssueRefund'; refundId: string; amount: Money; reason: string; refundedAt: string };

export type OrderCommand = PlaceOrder | ConfirmOrder | DeliverOrder | CompleteOrder | CancelOrder | ReceivePayment | IssueRefund;

/** The quote an order is placed from, as the quote's stream records it. */
export type QuoteFacts = {
  status: string;
  customerId: string;
  lines: OrderLine[];
  total: Money;
};

/** Placing an order is judged against the quote, the customer and what the customer already owes; null means looked up and not found. */
export type PlacementFacts = {
  readonly quote: QuoteFacts | null;
  readonly customer: CustomerFacts | null;
  /** The customer's exposure: totals of its orders neither completed nor cancelled, summed exactly however large. */
  readonly openOrdersTotal: ExactSum;
};

/** The facts each order command needs beyond the time and the actor: only placing needs any. */
export type OrderFacts = {
  readonly PlaceOrder: PlacementFacts;
  readonly ConfirmOrder: unknown;
  readonly DeliverOrder: unknown;
  readonly CompleteOrder: unknown;
  readonly CancelOrder: unknown;
  readonly ReceivePayment: unknown;
  readonly IssueRefund: unknown;
};

export const orderRules = {
  placedOnce: { id: 'ORD-01', name: 'An order is placed once' },
  fromAcceptedQuote: { id: 'ORD-02', name: 'An order is placed only from an accepted quote' },
  quoteCustomer: { id: 'ORD-03', name: 'An order is for the registered customer the quote was made for' },
  matchesQuote: { id: 'ORD-04', name: "An order carries the accepted quote's lines, prices and total" },
  hasLines: { id: 'ORD-05', name: 'An order has at least one line, each for a whole, positive quantity' },
  deliveryDateAhead: { id: 'ORD-06', name: 'The promised delivery date is not in the past' },
  withinCredit: { id: 'ORD-07', name: 'An order stays within the credit limit finance set for the customer' },
  noRiskCustomer: { id: 'ORD-08', name: 'No order for a customer flagged as a risk' },
  overrideByFinance: { id: 'ORD-09', name: 'Only finance overrides a credit or risk refusal, and only with a reason' },
  orderMustExist: { id: 'ORD-10', name: 'Only a placed order can be worked' },
  closedIsFinal: { id: 'ORD-11', name: 'A completed or cancelled order takes no further change' },
  confirmedOnce: { id: 'ORD-12', name: 'An order is confirmed once' },
  deliverConfirmedOnly: { id: 'ORD-13', name: 'Only a confirmed order is delivered' },
  deliveryRecordedOnce: { id: 'ORD-14', name: 'A delivery is recorded once' },
  deliverOrderedItems: { id: 'ORD-15', name: 'A delivery ships ordered items in whole, positive quantities' },
  neverOverDeliver: { id: 'ORD-16', name: 'Never deliver more of an item than was ordered' },
  completeWhenDelivered: { id: 'ORD-17', name: 'An order is completed only when everything has been delivered' },
  cancelNeedsReason: { id: 'ORD-18', name: 'Cancelling an order needs a reason' },
  noCancelAfterDelivery: { id: 'ORD-19', name: 'An order is not cancelled once anything has been delivered' },
  exposureWithinAmountLimit: { id: 'ORD-20', name: "A customer's open orders, this one included, stay within the amount limit" },
} as const satisfies Record<string, Rule>;

/** The cash on an order: what plans that pay on collection credit, and what a refund may give back. */
export const paymentRules = {
  placedOrderOnly: { id: 'PAY-01', name: 'Only a placed order is paid or refunded' },
  realAmount: { id: 'PAY-02', name: "A payment or a refund is above zero and in the order's currency" },
  neverOverpaid: { id: 'PAY-03', name: "Never more is paid than the order's total" },
  refundWithinPaid: { id: 'PAY-04', name: 'A refund is never more than was paid' },
  noPaymentOnCancelled: { id: 'PAY-05', name: 'A cancelled order takes no payment' },
  explained: { id: 'PAY-06', name: 'A payment names its bank reference; a refund says why' },
  notInFuture: { id: 'PAY-07', name: 'Cash is recorded when it moved, never ahead of it' },
  recordedOnce: { id: 'PAY-08', name: 'A payment reference or a refund is recorded once on an order' },
  byFinance: { id: 'PAY-09', name: 'Cash is recorded by finance or an admin' },
} as const satisfies Record<string, Rule>;

const CASH_ROLES: readonly string[] = ['finance', 'admin'];

/** PAY-01, PAY-09, PAY-02, PAY-07: the checks a payment and a refund share. */
const onCash = (
  state: Order,
  context: DecisionContext,
  amount: Money,
  at: string,
  decide: (order: PlacedOrder) => OrderEvent[] | Refusal,
): OrderEvent[] | Refusal => {
  if (state.status === 'none') return refuse(paymentRules.placedOrderOnly, 'The order was never placed');
  if (!CASH_ROLES.includes(context.actor.role)) return refuse(paymentRules.byFinance, `A ${context.actor.role} cannot record cash`);
  if (amount.currency !== state.total.currency) return refuse(paymentRules.realAmount, `The order is in ${state.total.currency}, not ${amount.currency}`);
  if (amount.minor <= 0) return refuse(paymentRules.realAmount, `${formatMoney(amount)} moves no cash`);
  if (Date.parse(at) > Date.parse(context.now)) return refuse(paymentRules.notInFuture, `${at} is after now, ${context.now}`);
  return decide(state);
};

/** Risk control (article 40) is finance's: sellers cannot wave their own orders through. */
const OVERRIDING_ROLES: readonly string[] = ['finance', 'admin'];

const sameMoney = (a: Money, b: Money) => a.minor === b.minor && a.currency === b.currency;
const formatMoney = (m: Money | ExactSum) => `${m.minor} ${m.currency} minor units`;

/** Lines compared as a set, since an order desk need not copy them in the quote's order. */
const lineKey = (l: OrderLine) => JSON.stringify([l.sku, l.qty, l.unitPrice.minor, l.unitPrice.currency, l.netTotal.minor, l.netTotal.currency]);
const sameLines = (a: readonly OrderLine[], b: readonly OrderLine[]) => {
  const keys = (lines: readonly OrderLine[]) => lines.map(lineKey).sort().join('\n');
  return keys(a) === keys(b);
};

/**
 * What the customer would owe on open orders with this one. Orders open in another currency cannot
 * be added to it: what is open there is the figure the credit check records.
 */
const exposureWith = (total: Money, openOrdersTotal: ExactSum) =>
  openOrdersTotal.minor !== 0n && openOrdersTotal.currency !== total.currency ? openOrdersTotal.minor : openOrdersTotal.minor + BigInt(total.minor);

/** Why the order would break the credit limit, or null when it stays within it. */
const creditProblem = (total: Money, openOrdersTotal: ExactSum, limit: Money | null): string | null => {
  if (!limit) return 'Finance has not set a credit limit for the customer';
  const exposureCounts = openOrdersTotal.minor !== 0n;
  if (total.currency !== limit.currency || (exposureCounts && openOrdersTotal.currency !== limit.currency)) {
    return `The credit limit is in ${limit.currency}, so an order in ${total.currency} cannot be checked against it`;
  }
  if (exposureWith(total, openOrdersTotal) > BigInt(limit.minor)) {
    return `${formatMoney(total)} on top of ${formatMoney(openOrdersTotal)} open exceeds the limit of ${formatMoney(limit)}`;
  }
  return null;
};

const place = (command: PlaceOrder, state: Order, context: DecisionContext & PlacementFacts): OrderEvent[] | Refusal => {
  if (state.status !== 'none') return refuse(orderRules.placedOnce, `Order ${state.orderId} is already placed`);
  const { quote, customer, openOrdersTotal } = context;
  if (!quote || quote.status !== 'accepted') {
    return refuse(orderRules.fromAcceptedQuote, quote ? `Quote ${command.quoteId} is ${quote.status}` : `Quote ${command.quoteId} does not exist`);
  }
  const { customerId = quote.customerId, lines = quote.lines, total = quote.total } = command;
  if (customerId !== quote.customerId) {
    return refuse(orderRules.quoteCustomer, `Quote ${command.quoteId} was made for customer ${quote.customerId}, not ${customerId}`);
  }
  if (!customer) return refuse(orderRules.quoteCustomer, `Customer ${customerId} is not registered`);
  if (!sameLines(lines, quote.lines)) return refuse(orderRules.matchesQuote, "The lines differ from the quote's");
  if (!sameMoney(total, quote.total)) {
    return refuse(orderRules.matchesQuote, `The total ${formatMoney(total)} differs from the quote's ${formatMoney(quote.total)}`);
  }
  if (lines.length === 0) return refuse(orderRules.hasLines, 'The order has no lines');
  const badLine = lines.find((l) => !Number.isInteger(l.qty) || l.qty <= 0);
  if (badLine) return refuse(orderRules.hasLines, `${badLine.qty} of ${badLine.sku} is not a quantity that can be ordered`);
  if (command.promisedDeliveryDate < companyDay(context.now)) {
    return refuse(orderRules.deliveryDateAhead, `${command.promisedDeliveryDate} is before today, ${companyDay(context.now)}`);
  }
  // No override lets it through: the credit check it records could not hold the figure.
  if (!withinAmountLimit(exposureWith(total, openOrdersTotal))) {
    return refuse(orderRules.exposureWithinAmountLimit, `${formatMoney(total)} on top of ${formatMoney(openOrdersTotal)} open passes the amount limit of 10^15`);
  }

  const credit = creditProblem(total, openOrdersTotal, customer.creditLimit);
  const overrode: OverriddenCheck[] = [];
  if (credit) overrode.push('credit_limit');
  if (customer.riskFlagged) overrode.push('risk_flag');
  const override = command.creditOverride;
  if (overrode.length > 0) {
    if (!override) {
      return credit
        ? refuse(orderRules.withinCredit, credit)
        : refuse(orderRules.noRiskCustomer, `Customer ${customer.customerId} is flagged as a risk`);
    }
    if (!OVERRIDING_ROLES.includes(context.actor.role)) {
      return refuse(orderRules.overrideByFinance, `A ${context.actor.role} cannot override ${overrode.join(' and ')}`);
    }
    if (!override.reason.trim()) return refuse(orderRules.overrideByFinance, 'An override needs a reason');
  }

  const { orderId, quoteId, promisedDeliveryDate } = command;
  return [
    {
      type: 'OrderPlaced',
      data: {
        orderId,
        quoteId,
        customerId,
        lines,
        total,
        promisedDeliveryDate,
        creditCheck: { limit: customer.creditLimit, openOrdersTotal: moneyOf(openOrdersTotal), riskFlagged: customer.riskFlagged },
        // Recorded only when it overrode something, so the audit trail lists real exceptions.
        ...(override && overrode.length > 0 ? { creditOverride: { reason: override.reason, by: context.actor, overrode } } : {}),
      },
    },
  ];
};

type PlacedOrder = Exclude<Order, { status: 'none' }>;

/** ORD-10 and ORD-11: an order is worked only once placed and until completed or cancelled. */
const onOpenOrder = (state: Order, decide: (order: PlacedOrder) => OrderEvent[] | Refusal): OrderEvent[] | Refusal => {
  if (state.status === 'none') return refuse(orderRules.orderMustExist, 'The order was never placed');
  if (state.status === 'completed' || state.status === 'cancelled') return refuse(orderRules.closedIsFinal, `The order is already ${state.status}`);
  return decide(state);
};

const deliver = (command: DeliverOrder, order: PlacedOrder, context: DecisionContext): OrderEvent[] | Refusal => {
  const { orderId, customerId } = order;
  if (order.status !== 'confirmed') return refuse(orderRules.deliverConfirmedOnly, 'The order has not been confirmed');
  if (order.deliveryIds.includes(command.deliveryId)) {
    return refuse(orderRules.deliveryRecordedOnce, `Delivery ${command.deliveryId} is already recorded`);
  }
  if (command.lines.length === 0) return refuse(orderRules.deliverOrderedItems, 'The delivery has no lines');
  const progress = order.progress.map((p) => ({ ...p }));
  for (const { sku, qty } of command.lines) {
    const item = progress.find((p) => p.sku === sku);
    if (!item) return refuse(orderRules.deliverOrderedItems, `${sku} is not on the order`);
    if (!Number.isInteger(qty) || qty <= 0) return refuse(orderRules.deliverOrderedItems, `${qty} of ${sku} is not a quantity that can ship`);
    item.delivered += qty;
    if (item.delivered > item.ordered) {
      return refuse(orderRules.neverOverDeliver, `${item.delivered} of ${sku} would be delivered against ${item.ordered} ordered`);
    }
  }
  const late = companyDay(context.now) > order.promisedDeliveryDate;
  const delivered: OrderEvent = {
    type: 'OrderDelivered',
    data: { orderId, customerId, deliveryId: command.deliveryId, lines: command.lines, deliveredToDate: progress, late },
  };
  if (progress.some((p) => p.delivered < p.ordered)) return [delivered];
  return [delivered, { type: 'OrderFullyDelivered', data: { orderId, customerId, promisedDeliveryDate: order.promisedDeliveryDate, late } }];
};

export const decide = decideByCommand<Order, OrderCommand, OrderEvent, OrderFacts>({
  PlaceOrder: place,

  ConfirmOrder: (_command, state) =>
    onOpenOrder(state, ({ status, orderId, customerId }) =>
      status !== 'placed' ? refuse(orderRules.confirmedOnce, 'The order is already confirmed') : [{ type: 'OrderConfirmed', data: { orderId, customerId } }],
    ),

  DeliverOrder: (command, state, context) => onOpenOrder(state, (order) => deliver(command, order, context)),

  CompleteOrder: (_command, state) =>
    onOpenOrder(state, ({ progress, orderId, customerId, total }) => {
      const outstanding = progress.filter((p) => p.delivered < p.ordered);
      if (outstanding.length > 0) {
        return refuse(orderRules.completeWhenDelivered, `Still to deliver: ${outstanding.map((p) => `${p.ordered - p.delivered} of ${p.sku}`).join(', ')}`);
      }
      return [{ type: 'OrderCompleted', data: { orderId, customerId, total } }];
    }),

  CancelOrder: (command, state) =>
    onOpenOrder(state, ({ progress, orderId, customerId, total }) => {
      if (progress.some((p) => p.delivered > 0)) return refuse(orderRules.noCancelAfterDelivery, 'Part of the order has been delivered');
      if (!command.reason.trim()) return refuse(orderRules.cancelNeedsReason, 'Say why the order is cancelled');
      return [{ type: 'OrderCancelled', data: { orderId, customerId, total, reason: command.reason } }];
    }),

  ReceivePayment: ({ paymentId, amount, receivedAt, reference }, state, context) =>
    onCash(state, context, amount, receivedAt, ({ orderId, customerId, total, status, paidMinor, paymentReferences }) => {
      if (status === 'cancelled') return refuse(paymentRules.noPaymentOnCancelled, 'The order is cancelled');
      if (!reference.trim()) return refuse(paymentRules.explained, 'Name the bank reference of the payment');
      if (paymentReferences.includes(reference)) return refuse(paymentRules.recordedOnce, `Payment ${reference} is already recorded`);
      const paidToDate = paidMinor + amount.minor;
      if (paidToDate > total.minor) {
        return refuse(paymentRules.neverOverpaid, `${formatMoney(amount)} on top of ${paidMinor} paid passes the total of ${formatMoney(total)}`);
      }
      return [
        { type: 'PaymentReceived', data: { orderId, customerId, paymentId, amount, receivedAt, reference, paidToDate: { minor: paidToDate, currency: total.currency } } },
      ];
    }),

  IssueRefund: ({ refundId, amount, reason, refundedAt }, state, context) =>
    onCash(state, context, amount, refundedAt, ({ orderId, customerId, total, paidMinor, refundIds }) => {
      if (!reason.trim()) return refuse(paymentRules.explained, 'Say why the money goes back');
      if (refundIds.includes(refundId)) return refuse(paymentRules.recordedOnce, `Refund ${refundId} is already recorded`);
      if (amount.minor > paidMinor) return refuse(paymentRules.refundWithinPaid, `${formatMoney(amount)} is more than the ${paidMinor} paid`);
      const paidToDate = { minor: paidMinor - amount.minor, currency: total.currency };
      return [{ type: 'RefundIssued', data: { orderId, customerId, refundId, amount, reason, refundedAt, paidToDate } }];
    }),
});

export const orderDecider: Decider<Order, OrderCommand, OrderEvent, OrderFacts> = { initialState, evolve, decide };

export const orderAggregate: Aggregate<Order, OrderCommand, OrderEvent, OrderFacts> = {
  category: ORDER_CATEGORY,
  name: 'Order',
  streamId: orderStreamId,
  decider: orderDecider,
  events: orderEventSchemas,
  customerOf: (state) => (state.status === 'none' ? undefined : state.customerId),
};
