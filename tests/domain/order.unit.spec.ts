import { describe, expect, it } from 'vitest';
import type { CustomerFacts } from '../../domain/customer/customer.js';
import { orderDecider, orderEventSchemas, orderRules, type OrderEvent, type OrderLine, type PlaceOrder } from '../../domain/order/order.js';
import { isRefusal } from '../../domain/shared/decider.js';
import { deciderSpecification, defaultContext } from '../support/deciderSpecification.js';

type EventOf<Type extends OrderEvent['type']> = Extract<OrderEvent, { type: Type }>;

const cny = (minor: number) => ({ minor, currency: 'CNY' });
/** What a customer has open, as the application sums it: exactly, however large. */
const open = (minor: bigint, currency = 'CNY') => ({ minor, currency });
const firewalls: OrderLine = { sku: 'NGFW-X1', qty: 2, unitPrice: cny(150_000_00), netTotal: cny(300_000_00) };
const soc: OrderLine = { sku: 'SOC-MANAGED', qty: 1, unitPrice: cny(200_000_00), netTotal: cny(200_000_00) };
const lines = [firewalls, soc];
const total = cny(500_000_00);
const customer: CustomerFacts = { customerId: 'c1', tier: 'key', region: 'east', creditLimit: cny(1_000_000_00), riskFlagged: false };
const context = {
  ...defaultContext, // now 2026-11-27, a sales_rep
  quote: { status: 'accepted', customerId: 'c1', lines, total },
  customer,
  openOrdersTotal: open(300_000_00n),
};
const spec = deciderSpecification(orderDecider, context);
const finance = { actor: { id: 'fin-1', role: 'finance' } };

const place: PlaceOrder = { type: 'PlaceOrder', orderId: 'ord1', quoteId: 'q1', customerId: 'c1', lines, total, promisedDeliveryDate: '2026-12-15' };
const creditCheck = { limit: cny(1_000_000_00), openOrdersTotal: cny(300_000_00), riskFlagged: false };
const placed: EventOf<'OrderPlaced'> = {
  type: 'OrderPlaced',
  data: { orderId: 'ord1', quoteId: 'q1', customerId: 'c1', lines, total, promisedDeliveryDate: '2026-12-15', creditCheck },
};
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId: 'ord1', customerId: 'c1' } };
const firstDelivery: EventOf<'OrderDelivered'> = {
  type: 'OrderDelivered',
  data: {
    orderId: 'ord1',
    customerId: 'c1',
    deliveryId: 'd1',
    lines: [{ sku: 'NGFW-X1', qty: 1 }],
    deliveredToDate: [
      { sku: 'NGFW-X1', ordered: 2, delivered: 1 },
      { sku: 'SOC-MANAGED', ordered: 1, delivered: 0 },
    ],
    late: false,
  },
};
const secondDelivery: EventOf<'OrderDelivered'> = {
  type: 'OrderDelivered',
  data: {
    orderId: 'ord1',
    customerId: 'c1',
    deliveryId: 'd2',
    lines: [
      { sku: 'SOC-MANAGED', qty: 1 },
      { sku: 'NGFW-X1', qty: 1 },
    ],
    deliveredToDate: [
      { sku: 'NGFW-X1', ordered: 2, delivered: 2 },
      { sku: 'SOC-MANAGED', ordered: 1, delivered: 1 },
    ],
    late: false,
  },
};
const fullyDelivered: EventOf<'OrderFullyDelivered'> = {
  type: 'OrderFullyDelivered',
  data: { orderId: 'ord1', customerId: 'c1', promisedDeliveryDate: '2026-12-15', late: false },
};
const completed: OrderEvent = { type: 'OrderCompleted', data: { orderId: 'ord1', customerId: 'c1', total } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'ord1', customerId: 'c1', total, reason: 'customer chose a competitor' } };

describe('Order', () => {
  describe('placing', () => {
    it('is placed from an accepted quote within credit, recording the credit it was judged on', () => spec.given([]).when(place).then([placed]));

    it("takes the customer, lines and total from the accepted quote when the order desk keys in none of them", () =>
      spec.given([]).when({ type: 'PlaceOrder', orderId: 'ord1', quoteId: 'q1', promisedDeliveryDate: '2026-12-15' }).then([placed]));

    it('takes the lines in any order', () =>
      spec.given([]).when({ ...place, lines: [soc, firewalls] }).then([{ type: 'OrderPlaced', data: { ...placed.data, lines: [soc, firewalls] } }]));

    it('may take the customer exactly to its limit', () =>
      spec
        .given([])
        .when(place, { openOrdersTotal: open(500_000_00n) })
        .then([{ type: 'OrderPlaced', data: { ...placed.data, creditCheck: { ...creditCheck, openOrdersTotal: cny(500_000_00) } } }]));

    it('ignores an override that was not needed', () =>
      spec.given([]).when({ ...place, creditOverride: { reason: 'just in case' } }).then([placed]));

    it(`refuses to place twice (${orderRules.placedOnce.id})`, () => spec.given([placed]).when(place).thenRefuses(orderRules.placedOnce));

    it(`refuses a quote that does not exist (${orderRules.fromAcceptedQuote.id})`, () =>
      spec.given([]).when(place, { quote: null }).thenRefuses(orderRules.fromAcceptedQuote, /does not exist/));

    it(`refuses a quote not yet accepted (${orderRules.fromAcceptedQuote.id})`, () =>
      spec
        .given([])
        .when(place, { quote: { status: 'sent', customerId: 'c1', lines, total } })
        .thenRefuses(orderRules.fromAcceptedQuote, /sent/));

    it(`refuses an order for another customer than the quote's (${orderRules.quoteCustomer.id})`, () =>
      spec.given([]).when({ ...place, customerId: 'c2' }).thenRefuses(orderRules.quoteCustomer, /made for customer c1/));

    it(`refuses an unregistered customer (${orderRules.quoteCustomer.id})`, () =>
      spec.given([]).when(place, { customer: null }).thenRefuses(orderRules.quoteCustomer, /not registered/));

    it(`refuses a changed quantity (${orderRules.matchesQuote.id})`, () =>
      spec
        .given([])
        .when({ ...place, lines: [{ ...firewalls, qty: 3, netTotal: cny(450_000_00) }, soc] })
        .thenRefuses(orderRules.matchesQuote, /lines/));

    it(`refuses a changed unit price (${orderRules.matchesQuote.id})`, () =>
      spec
        .given([])
        .when({ ...place, lines: [firewalls, { ...soc, unitPrice: cny(199_999_00) }] })
        .thenRefuses(orderRules.matchesQuote, /lines/));

    it(`refuses a dropped line (${orderRules.matchesQuote.id})`, () =>
      spec.given([]).when({ ...place, lines: [firewalls] }).thenRefuses(orderRules.matchesQuote, /lines/));

    it(`refuses a changed total (${orderRules.matchesQuote.id})`, () =>
      spec.given([]).when({ ...place, total: cny(450_000_00) }).thenRefuses(orderRules.matchesQuote, /total/));

    it(`refuses an order with no lines, even from a quote with none (${orderRules.hasLines.id})`, () =>
      spec
        .given([])
        .when({ ...place, lines: [], total: cny(0) }, { quote: { status: 'accepted', customerId: 'c1', lines: [], total: cny(0) } })
        .thenRefuses(orderRules.hasLines, /no lines/));

    it(`refuses a line of zero (${orderRules.hasLines.id})`, () => {
      const zero = [{ sku: 'NGFW-X1', qty: 0, unitPrice: cny(150_000_00), netTotal: cny(0) }];
      return spec
        .given([])
        .when({ ...place, lines: zero, total: cny(0) }, { quote: { status: 'accepted', customerId: 'c1', lines: zero, total: cny(0) } })
        .thenRefuses(orderRules.hasLines, /0 of NGFW-X1/);
    });

    it(`refuses a delivery date already past (${orderRules.deliveryDateAhead.id})`, () =>
      spec.given([]).when({ ...place, promisedDeliveryDate: '2026-11-26' }).thenRefuses(orderRules.deliveryDateAhead));

    it('accepts delivery promised for today', () =>
      spec
        .given([])
        .when({ ...place, promisedDeliveryDate: '2026-11-27' })
        .then([{ type: 'OrderPlaced', data: { ...placed.data, promisedDeliveryDate: '2026-11-27' } }]));

    describe('credit and risk', () => {
      const overLimit = { openOrdersTotal: open(500_000_01n) };

      it(`refuses an order that takes the customer over its limit (${orderRules.withinCredit.id})`, () =>
        spec.given([]).when(place, overLimit).thenRefuses(orderRules.withinCredit, /exceeds the limit/));

      it(`refuses a customer with no credit limit set (${orderRules.withinCredit.id})`, () =>
        spec.given([]).when(place, { customer: { ...customer, creditLimit: null } }).thenRefuses(orderRules.withinCredit, /not set a credit limit/));

      it(`refuses an order in another currency than the limit (${orderRules.withinCredit.id})`, () =>
        spec
          .given([])
          .when(place, { customer: { ...customer, creditLimit: { minor: 1_000_000_00, currency: 'USD' } } })
          .thenRefuses(orderRules.withinCredit, /USD/));

      it(`refuses a customer flagged as a risk (${orderRules.noRiskCustomer.id})`, () =>
        spec.given([]).when(place, { customer: { ...customer, riskFlagged: true } }).thenRefuses(orderRules.noRiskCustomer));

      it('lets finance override the credit limit with a reason, and records who and what', () =>
        spec
          .given([])
          .when({ ...place, creditOverride: { reason: 'CFO approved: payment guaranteed by parent' } }, { ...overLimit, ...finance })
          .then([
            {
              type: 'OrderPlaced',
              data: {
                ...placed.data,
                creditCheck: { ...creditCheck, openOrdersTotal: cny(500_000_01) },
                creditOverride: { reason: 'CFO approved: payment guaranteed by parent', by: finance.actor, overrode: ['credit_limit'] },
              },
            },
          ]));

      it('lets an admin override both a risk flag and the limit', () =>
        spec
          .given([])
          .when(
            { ...place, creditOverride: { reason: 'prepaid in full' } },
            { customer: { ...customer, riskFlagged: true, creditLimit: null }, actor: { id: 'admin-1', role: 'admin' } },
          )
          .then([
            {
              type: 'OrderPlaced',
              data: {
                ...placed.data,
                creditCheck: { ...creditCheck, limit: null, riskFlagged: true },
                creditOverride: { reason: 'prepaid in full', by: { id: 'admin-1', role: 'admin' }, overrode: ['credit_limit', 'risk_flag'] },
              },
            },
          ]));

      it(`refuses an override by a sales manager (${orderRules.overrideByFinance.id})`, () =>
        spec
          .given([])
          .when({ ...place, creditOverride: { reason: 'big customer' } }, { ...overLimit, actor: { id: 'mgr-1', role: 'sales_manager' } })
          .thenRefuses(orderRules.overrideByFinance, /sales_manager cannot override credit_limit/));

      it(`refuses an override without a reason (${orderRules.overrideByFinance.id})`, () =>
        spec
          .given([])
          .when({ ...place, creditOverride: { reason: ' ' } }, { customer: { ...customer, riskFlagged: true }, ...finance })
          .thenRefuses(orderRules.overrideByFinance, /needs a reason/));

      describe(`the amount limit (${orderRules.exposureWithinAmountLimit.id})`, () => {
        const AMOUNT_LIMIT = 1_000_000_000_000_000n;
        const override = { ...place, creditOverride: { reason: 'board approval' } };

        it('lets finance take the customer exactly to the amount limit', () =>
          spec
            .given([])
            .when(override, { openOrdersTotal: open(AMOUNT_LIMIT - 500_000_00n), ...finance })
            .then([
              {
                type: 'OrderPlaced',
                data: {
                  ...placed.data,
                  creditCheck: { ...creditCheck, openOrdersTotal: cny(Number(AMOUNT_LIMIT - 500_000_00n)) },
                  creditOverride: { reason: 'board approval', by: finance.actor, overrode: ['credit_limit'] },
                },
              },
            ]));

        it('refuses one minor unit past it, whatever finance says', () =>
          spec
            .given([])
            .when(override, { openOrdersTotal: open(AMOUNT_LIMIT - 500_000_00n + 1n), ...finance })
            .thenRefuses(orderRules.exposureWithinAmountLimit, /on top of 999999950000001 CNY minor units open passes the amount limit/));

        it('refuses open orders summed past what a JSON number holds, without rounding them', () =>
          spec
            .given([])
            .when(place, { openOrdersTotal: open(9_007_199_254_740_993n) })
            .thenRefuses(orderRules.exposureWithinAmountLimit, /9007199254740993 CNY minor units open/));

        it('refuses open orders in another currency past it, which the credit check could not record', () =>
          spec
            .given([])
            .when(override, { openOrdersTotal: open(AMOUNT_LIMIT + 1n, 'USD'), ...finance })
            .thenRefuses(orderRules.exposureWithinAmountLimit, /1000000000000001 USD minor units open/));
      });

      it('does not let an override excuse a past delivery date', () =>
        spec
          .given([])
          .when({ ...place, promisedDeliveryDate: '2026-11-01', creditOverride: { reason: 'ok' } }, { ...overLimit, ...finance })
          .thenRefuses(orderRules.deliveryDateAhead));
    });

    it('cannot be decided without the facts it needs from the application', () => {
      const { quote: _, ...withoutQuote } = context;
      // @ts-expect-error placing an order needs the quote among its facts: the compiler refuses the call
      const forced = orderDecider.decide(place, orderDecider.initialState(), withoutQuote);
      // and were it forced, nothing would be placed
      expect(isRefusal(forced) && forced.refused).toEqual(orderRules.fromAcceptedQuote);
    });
  });

  describe('confirming', () => {
    it('confirms a placed order', () => spec.given([placed]).when({ type: 'ConfirmOrder' }).then([confirmed]));

    it(`refuses to confirm twice (${orderRules.confirmedOnce.id})`, () =>
      spec.given([placed, confirmed]).when({ type: 'ConfirmOrder' }).thenRefuses(orderRules.confirmedOnce));

    it(`refuses an order never placed (${orderRules.orderMustExist.id})`, () =>
      spec.given([]).when({ type: 'ConfirmOrder' }).thenRefuses(orderRules.orderMustExist));

    it(`refuses a cancelled order (${orderRules.closedIsFinal.id})`, () =>
      spec.given([placed, cancelled]).when({ type: 'ConfirmOrder' }).thenRefuses(orderRules.closedIsFinal, /cancelled/));
  });

  describe('delivering', () => {
    const deliver = (deliveryId: string, ...deliveryLines: { sku: string; qty: number }[]) => ({ type: 'DeliverOrder' as const, deliveryId, lines: deliveryLines });

    it('records a partial delivery with the running totals', () =>
      spec.given([placed, confirmed]).when(deliver('d1', { sku: 'NGFW-X1', qty: 1 })).then([firstDelivery]));

    it('records the delivery that completes the order, and that it is fully delivered', () =>
      spec
        .given([placed, confirmed, firstDelivery])
        .when(deliver('d2', { sku: 'SOC-MANAGED', qty: 1 }, { sku: 'NGFW-X1', qty: 1 }))
        .then([secondDelivery, fullyDelivered]));

    it('marks a delivery after the promised date as late', () =>
      spec
        .given([placed, confirmed, firstDelivery])
        .when(deliver('d2', { sku: 'SOC-MANAGED', qty: 1 }, { sku: 'NGFW-X1', qty: 1 }), { now: '2026-12-16T01:00:00.000Z' })
        .then([
          { type: 'OrderDelivered', data: { ...secondDelivery.data, late: true } },
          { type: 'OrderFullyDelivered', data: { ...fullyDelivered.data, late: true } },
        ]));

    it('is on time on the promised date itself, until it ends in Beijing', () =>
      spec.given([placed, confirmed]).when(deliver('d1', { sku: 'NGFW-X1', qty: 1 }), { now: '2026-12-15T15:59:59.000Z' }).then([firstDelivery]));

    it('is late from midnight in Beijing after the promised date, though it is still that date in UTC', () =>
      spec
        .given([placed, confirmed])
        .when(deliver('d1', { sku: 'NGFW-X1', qty: 1 }), { now: '2026-12-15T16:00:00.000Z' })
        .then([{ type: 'OrderDelivered', data: { ...firstDelivery.data, late: true } }]));

    it('adds up one sku named twice in a delivery', () =>
      spec
        .given([placed, confirmed])
        .when(deliver('d1', { sku: 'NGFW-X1', qty: 1 }, { sku: 'NGFW-X1', qty: 1 }))
        .then([
          {
            type: 'OrderDelivered',
            data: {
              ...firstDelivery.data,
              lines: [
                { sku: 'NGFW-X1', qty: 1 },
                { sku: 'NGFW-X1', qty: 1 },
              ],
              deliveredToDate: [
                { sku: 'NGFW-X1', ordered: 2, delivered: 2 },
                { sku: 'SOC-MANAGED', ordered: 1, delivered: 0 },
              ],
            },
          },
        ]));

    it(`refuses to deliver an order not yet confirmed (${orderRules.deliverConfirmedOnly.id})`, () =>
      spec.given([placed]).when(deliver('d1', { sku: 'NGFW-X1', qty: 1 })).thenRefuses(orderRules.deliverConfirmedOnly));

    it(`refuses the same delivery twice (${orderRules.deliveryRecordedOnce.id})`, () =>
      spec.given([placed, confirmed, firstDelivery]).when(deliver('d1', { sku: 'NGFW-X1', qty: 1 })).thenRefuses(orderRules.deliveryRecordedOnce));

    it(`refuses an empty delivery (${orderRules.deliverOrderedItems.id})`, () =>
      spec.given([placed, confirmed]).when(deliver('d1')).thenRefuses(orderRules.deliverOrderedItems, /no lines/));

    it(`refuses an item not on the order (${orderRules.deliverOrderedItems.id})`, () =>
      spec.given([placed, confirmed]).when(deliver('d1', { sku: 'EDR-AGENT', qty: 1 })).thenRefuses(orderRules.deliverOrderedItems, /EDR-AGENT/));

    it(`refuses a zero quantity (${orderRules.deliverOrderedItems.id})`, () =>
      spec.given([placed, confirmed]).when(deliver('d1', { sku: 'NGFW-X1', qty: 0 })).thenRefuses(orderRules.deliverOrderedItems));

    it(`refuses a fractional quantity (${orderRules.deliverOrderedItems.id})`, () =>
      spec.given([placed, confirmed]).when(deliver('d1', { sku: 'NGFW-X1', qty: 0.5 })).thenRefuses(orderRules.deliverOrderedItems));

    it(`refuses more than was ordered in one delivery (${orderRules.neverOverDeliver.id})`, () =>
      spec.given([placed, confirmed]).when(deliver('d1', { sku: 'NGFW-X1', qty: 3 })).thenRefuses(orderRules.neverOverDeliver, /3 of NGFW-X1/));

    it(`refuses more than was ordered across deliveries (${orderRules.neverOverDeliver.id})`, () =>
      spec.given([placed, confirmed, firstDelivery]).when(deliver('d2', { sku: 'NGFW-X1', qty: 2 })).thenRefuses(orderRules.neverOverDeliver));

    it(`refuses to deliver a completed order (${orderRules.closedIsFinal.id})`, () =>
      spec
        .given([placed, confirmed, firstDelivery, secondDelivery, fullyDelivered, completed])
        .when(deliver('d3', { sku: 'NGFW-X1', qty: 1 }))
        .thenRefuses(orderRules.closedIsFinal, /completed/));
  });

  describe('completing', () => {
    it('completes a fully delivered order', () =>
      spec.given([placed, confirmed, firstDelivery, secondDelivery, fullyDelivered]).when({ type: 'CompleteOrder' }).then([completed]));

    it(`refuses while items are outstanding (${orderRules.completeWhenDelivered.id})`, () =>
      spec
        .given([placed, confirmed, firstDelivery])
        .when({ type: 'CompleteOrder' })
        .thenRefuses(orderRules.completeWhenDelivered, /1 of NGFW-X1, 1 of SOC-MANAGED/));

    it(`refuses an order nothing of which was delivered (${orderRules.completeWhenDelivered.id})`, () =>
      spec.given([placed]).when({ type: 'CompleteOrder' }).thenRefuses(orderRules.completeWhenDelivered));

    it(`refuses to complete twice (${orderRules.closedIsFinal.id})`, () =>
      spec.given([placed, confirmed, firstDelivery, secondDelivery, fullyDelivered, completed]).when({ type: 'CompleteOrder' }).thenRefuses(orderRules.closedIsFinal));
  });

  describe('cancelling', () => {
    it('cancels a placed order with a reason', () =>
      spec.given([placed]).when({ type: 'CancelOrder', reason: 'customer chose a competitor' }).then([cancelled]));

    it('cancels a confirmed order before any delivery', () =>
      spec.given([placed, confirmed]).when({ type: 'CancelOrder', reason: 'customer chose a competitor' }).then([cancelled]));

    it(`refuses without a reason (${orderRules.cancelNeedsReason.id})`, () =>
      spec.given([placed]).when({ type: 'CancelOrder', reason: '' }).thenRefuses(orderRules.cancelNeedsReason));

    it(`refuses once anything was delivered (${orderRules.noCancelAfterDelivery.id})`, () =>
      spec.given([placed, confirmed, firstDelivery]).when({ type: 'CancelOrder', reason: 'budget frozen' }).thenRefuses(orderRules.noCancelAfterDelivery));

    it(`refuses a completed order (${orderRules.closedIsFinal.id})`, () =>
      spec
        .given([placed, confirmed, firstDelivery, secondDelivery, fullyDelivered, completed])
        .when({ type: 'CancelOrder', reason: 'x' })
        .thenRefuses(orderRules.closedIsFinal, /completed/));

    it(`refuses to cancel twice (${orderRules.closedIsFinal.id})`, () =>
      spec.given([placed, cancelled]).when({ type: 'CancelOrder', reason: 'again' }).thenRefuses(orderRules.closedIsFinal, /cancelled/));

    it(`refuses an order never placed (${orderRules.orderMustExist.id})`, () =>
      spec.given([]).when({ type: 'CancelOrder', reason: 'x' }).thenRefuses(orderRules.orderMustExist));
  });

  it('writes events that satisfy their stored schemas', () => {
    const overridden: OrderEvent = {
      type: 'OrderPlaced',
      data: { ...placed.data, creditCheck: { ...creditCheck, limit: null }, creditOverride: { reason: 'r', by: finance.actor, overrode: ['credit_limit'] } },
    };
    for (const event of [placed, overridden, confirmed, firstDelivery, secondDelivery, fullyDelivered, completed, cancelled]) {
      expect(() => orderEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });
});
