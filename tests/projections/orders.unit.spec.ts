import { beforeEach, describe, expect, it } from 'vitest';
import { orderStreamId, type OrderEvent, type OrderLine } from '../../domain/order/order.js';
import { ORDER_DOCS, ordersProjection, type OrderView } from '../../projections/orders/ordersProjection.js';
import { projectionSpecification, type GivenEvent } from '../support/projectionSpecification.js';

type DataOf<Type extends OrderEvent['type']> = Extract<OrderEvent, { type: Type }>['data'];

/** An order event on the order's own stream, its data checked against the domain's event shapes. */
const orderEvent = <Type extends OrderEvent['type']>(type: Type, data: DataOf<Type>): GivenEvent => ({
  streamId: orderStreamId(data.orderId),
  type,
  data,
});

const cny = (minor: number) => ({ minor, currency: 'CNY' });
/** The occurredAt the specification gives the nth event it records. */
const second = (n: number) => `2026-03-02T09:00:${String(n).padStart(2, '0')}.000Z`;

const seats: OrderLine = { sku: 'CRM-SEAT', qty: 10, unitPrice: cny(120_000), netTotal: cny(1_020_000) };
const onboarding: OrderLine = { sku: 'ONBOARD', qty: 1, unitPrice: cny(450_000), netTotal: cny(405_000) };
const total = cny(1_425_000);
const creditCheck = { limit: cny(5_000_000), openOrdersTotal: cny(800_000), riskFlagged: false };

const placed = (orderId = 'r1', changes: Partial<DataOf<'OrderPlaced'>> = {}) =>
  orderEvent('OrderPlaced', { orderId, quoteId: 'q1', customerId: 'c1', lines: [seats, onboarding], total, promisedDeliveryDate: '2026-03-20', creditCheck, ...changes });
const confirmed = orderEvent('OrderConfirmed', { orderId: 'r1', customerId: 'c1' });
const delivered = (deliveryId: string, lines: { sku: string; qty: number }[], seatsToDate: number, onboardingToDate: number, late: boolean) =>
  orderEvent('OrderDelivered', {
    orderId: 'r1',
    customerId: 'c1',
    deliveryId,
    lines,
    deliveredToDate: [
      { sku: 'CRM-SEAT', ordered: 10, delivered: seatsToDate },
      { sku: 'ONBOARD', ordered: 1, delivered: onboardingToDate },
    ],
    late,
  });
const fullyDelivered = (late: boolean) => orderEvent('OrderFullyDelivered', { orderId: 'r1', customerId: 'c1', promisedDeliveryDate: '2026-03-20', late });
const completed = orderEvent('OrderCompleted', { orderId: 'r1', customerId: 'c1', total });
const cancelled = orderEvent('OrderCancelled', { orderId: 'r1', customerId: 'c1', total, reason: 'customer lost its budget' });

/** The order as placed by the first event of a spec. */
const placedView: OrderView = {
  id: 'r1',
  quoteId: 'q1',
  customerId: 'c1',
  status: 'placed',
  open: true,
  total,
  totalMinor: 1_425_000,
  currency: 'CNY',
  promisedDeliveryDate: '2026-03-20',
  items: [
    { sku: 'CRM-SEAT', ordered: 10, delivered: 0 },
    { sku: 'ONBOARD', ordered: 1, delivered: 0 },
  ],
  deliveries: 0,
  fullyDelivered: false,
  late: false,
  lateDeliveries: 0,
  creditOverridden: false,
  cancelReason: null,
  placedAt: second(1),
  updatedAt: second(1),
};
const confirmedView: OrderView = { ...placedView, status: 'confirmed' };
const items = (seatsToDate: number, onboardingToDate: number) => [
  { sku: 'CRM-SEAT', ordered: 10, delivered: seatsToDate },
  { sku: 'ONBOARD', ordered: 1, delivered: onboardingToDate },
];

let spec: ReturnType<typeof projectionSpecification>;
const order = (id = 'r1') => spec.document(ORDER_DOCS, id);

beforeEach(() => {
  spec = projectionSpecification(ordersProjection);
});

describe('orders projection', () => {
  describe('each order event', () => {
    it('records a placed order as open, with its total, promised date and nothing yet delivered of each item', () => {
      spec.given(placed());
      expect(order()).toEqual(placedView);
    });

    it('counts a sku ordered on two lines as one item with the quantities added', () => {
      const extraSeats: OrderLine = { sku: 'CRM-SEAT', qty: 5, unitPrice: cny(110_000), netTotal: cny(550_000) };
      spec.given(placed('r1', { lines: [seats, onboarding, extraSeats], total: cny(1_975_000) }));
      expect(order()).toEqual({
        ...placedView,
        total: cny(1_975_000),
        totalMinor: 1_975_000,
        items: [
          { sku: 'CRM-SEAT', ordered: 15, delivered: 0 },
          { sku: 'ONBOARD', ordered: 1, delivered: 0 },
        ],
      });
    });

    it('flags an order finance let through a credit refusal', () => {
      spec.given(
        placed('r1', {
          creditCheck: { limit: cny(1_000_000), openOrdersTotal: cny(800_000), riskFlagged: false },
          creditOverride: { reason: 'board approved the exposure', by: { id: 'fin-1', role: 'finance' }, overrode: ['credit_limit'] },
        }),
      );
      expect(order()).toEqual({ ...placedView, creditOverridden: true });
    });

    it('takes the placing time from when the event occurred, not from when it is projected', () => {
      spec.given({ ...placed(), metadata: { occurredAt: '2026-02-27T16:30:00.000Z' } });
      expect(order()).toEqual({ ...placedView, placedAt: '2026-02-27T16:30:00.000Z', updatedAt: '2026-02-27T16:30:00.000Z' });
    });

    it('marks a confirmed order confirmed and still open', () => {
      spec.given(placed(), confirmed);
      expect(order()).toEqual({ ...confirmedView, updatedAt: second(2) });
    });

    it('takes what has been delivered of each item from the delivery, and counts an on-time delivery as not late', () => {
      spec.given(placed(), confirmed, delivered('d1', [{ sku: 'CRM-SEAT', qty: 4 }], 4, 0, false));
      expect(order()).toEqual({ ...confirmedView, items: items(4, 0), deliveries: 1, late: false, lateDeliveries: 0, updatedAt: second(3) });
    });

    it('marks an order late and counts the delivery when it arrived after the promised date', () => {
      spec.given(placed(), confirmed, delivered('d1', [{ sku: 'CRM-SEAT', qty: 4 }], 4, 0, true));
      expect(order()).toEqual({ ...confirmedView, items: items(4, 0), deliveries: 1, late: true, lateDeliveries: 1, updatedAt: second(3) });
    });

    it('keeps an order late once any delivery was, counting only the late ones as late', () => {
      spec.given(
        placed(),
        confirmed,
        delivered('d1', [{ sku: 'CRM-SEAT', qty: 4 }], 4, 0, true),
        // The domain would not record an on-time delivery after a late one; this isolates how the flag is kept.
        delivered('d2', [{ sku: 'CRM-SEAT', qty: 2 }], 6, 0, false),
      );
      expect(order()).toEqual({ ...confirmedView, items: items(6, 0), deliveries: 2, late: true, lateDeliveries: 1, updatedAt: second(4) });
    });

    it('marks an order fully delivered without counting the completing delivery twice', () => {
      spec.given(placed(), confirmed, delivered('d1', [{ sku: 'CRM-SEAT', qty: 10 }, { sku: 'ONBOARD', qty: 1 }], 10, 1, true), fullyDelivered(true));
      expect(order()).toEqual({
        ...confirmedView,
        items: items(10, 1),
        deliveries: 1,
        fullyDelivered: true,
        late: true,
        lateDeliveries: 1,
        updatedAt: second(4),
      });
    });

    it('closes a completed order, so it no longer counts against the customer\'s credit', () => {
      spec.given(placed(), confirmed, delivered('d1', [{ sku: 'CRM-SEAT', qty: 10 }, { sku: 'ONBOARD', qty: 1 }], 10, 1, false), fullyDelivered(false), completed);
      expect(order()).toEqual({
        ...placedView,
        status: 'completed',
        open: false,
        items: items(10, 1),
        deliveries: 1,
        fullyDelivered: true,
        updatedAt: second(5),
      });
    });

    it('closes a cancelled order with the reason given', () => {
      spec.given(placed(), confirmed, cancelled);
      expect(order()).toEqual({ ...placedView, status: 'cancelled', open: false, cancelReason: 'customer lost its budget', updatedAt: second(3) });
    });
  });

  describe('whole lifecycles', () => {
    it('follows an order delivered in part on time, then late, to completion', () => {
      spec.given(placed(), confirmed);
      expect(order()).toEqual({ ...confirmedView, updatedAt: second(2) });
      spec.given(delivered('d1', [{ sku: 'CRM-SEAT', qty: 6 }], 6, 0, false));
      expect(order()).toEqual({ ...confirmedView, items: items(6, 0), deliveries: 1, updatedAt: second(3) });
      spec.given(delivered('d2', [{ sku: 'CRM-SEAT', qty: 4 }, { sku: 'ONBOARD', qty: 1 }], 10, 1, true), fullyDelivered(true));
      // Delivery changes no status: a delivered order stays confirmed until completed.
      expect(order()).toEqual({
        ...confirmedView,
        items: items(10, 1),
        deliveries: 2,
        fullyDelivered: true,
        late: true,
        lateDeliveries: 1,
        updatedAt: second(5),
      });
      spec.given(completed);
      expect(order()).toEqual({
        ...placedView,
        status: 'completed',
        open: false,
        items: items(10, 1),
        deliveries: 2,
        fullyDelivered: true,
        late: true,
        lateDeliveries: 1,
        updatedAt: second(6),
      });
    });

    it('follows an order delivered on time in two parts to completion, never late', () => {
      spec.given(
        placed(),
        confirmed,
        delivered('d1', [{ sku: 'ONBOARD', qty: 1 }], 0, 1, false),
        delivered('d2', [{ sku: 'CRM-SEAT', qty: 10 }], 10, 1, false),
        fullyDelivered(false),
        completed,
      );
      expect(order()).toEqual({
        ...placedView,
        status: 'completed',
        open: false,
        items: items(10, 1),
        deliveries: 2,
        fullyDelivered: true,
        late: false,
        lateDeliveries: 0,
        updatedAt: second(6),
      });
    });

    it('closes an order cancelled before it was confirmed, with nothing delivered', () => {
      spec.given(placed(), cancelled);
      expect(order()).toEqual({ ...placedView, status: 'cancelled', open: false, cancelReason: 'customer lost its budget', updatedAt: second(2) });
    });

    it('keeps each order to its own document, so open exposure is told order by order', () => {
      spec.given(placed('r1'), placed('r2'), orderEvent('OrderCancelled', { orderId: 'r2', customerId: 'c1', total, reason: 'duplicate' }));
      expect(spec.documents(ORDER_DOCS)).toEqual([
        placedView,
        { ...placedView, id: 'r2', status: 'cancelled', open: false, cancelReason: 'duplicate', placedAt: second(2), updatedAt: second(3) },
      ]);
    });
  });

  describe('what it ignores', () => {
    it('creates nothing for an order it never saw placed', () => {
      spec.given(
        orderEvent('OrderConfirmed', { orderId: 'r9', customerId: 'c1' }),
        orderEvent('OrderDelivered', { orderId: 'r9', customerId: 'c1', deliveryId: 'd1', lines: [{ sku: 'CRM-SEAT', qty: 1 }], deliveredToDate: [], late: true }),
        orderEvent('OrderFullyDelivered', { orderId: 'r9', customerId: 'c1', promisedDeliveryDate: '2026-03-20', late: true }),
        orderEvent('OrderCompleted', { orderId: 'r9', customerId: 'c1', total }),
        orderEvent('OrderCancelled', { orderId: 'r9', customerId: 'c1', total, reason: 'x' }),
      );
      expect(spec.documents(ORDER_DOCS)).toEqual([]);
    });

    it('leaves the orders it knows untouched by events for an unknown order', () => {
      spec.given(placed(), orderEvent('OrderConfirmed', { orderId: 'r9', customerId: 'c1' }), orderEvent('OrderCompleted', { orderId: 'r9', customerId: 'c1', total }));
      expect(spec.documents(ORDER_DOCS)).toEqual([placedView]);
    });

    it('listens to the six order events only, each naming just its own order\'s document', () => {
      expect(ordersProjection.handles).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderDelivered', 'OrderFullyDelivered', 'OrderCompleted', 'OrderCancelled']);
      const [recorded] = spec.given(confirmed);
      expect(ordersProjection.documentsFor(recorded as never)).toEqual([{ collection: ORDER_DOCS, id: 'r1' }]);
    });

    it('is not changed by events of other kinds that mention the order', () => {
      spec.given(
        placed(),
        { streamId: 'promise-p1', type: 'PromiseRecorded', data: { promiseId: 'p1', orderId: 'r1', customerId: 'c1', kind: 'delivery', dueDate: '2026-03-20' } },
        { streamId: 'finding-f1', type: 'FindingRaised', data: { findingId: 'f1', orderId: 'r1', subject: { kind: 'order', id: 'r1' } } },
      );
      expect(spec.documents(ORDER_DOCS)).toEqual([placedView]);
    });
  });
});
