import type { Document } from '../../application/ports/readStore.js';
import type { OrderEvent } from '../../domain/order/order.js';
import type { Money } from '../../domain/shared/money.js';
import { listIndexes, type ListQuery, type Projection } from '../projection.js';

export const ORDERS = 'orders';
export const ORDER_DOCS = 'orders';

export type OrderStatus = 'placed' | 'confirmed' | 'completed' | 'cancelled';

export type OrderView = Document & {
  quoteId: string;
  customerId: string;
  status: OrderStatus;
  /** Neither completed nor cancelled: what counts against the customer's credit limit. */
  open: boolean;
  total: Money;
  totalMinor: number;
  currency: string;
  promisedDeliveryDate: string;
  /** Per sku, what was ordered and what has been delivered so far. */
  items: { sku: string; ordered: number; delivered: number }[];
  deliveries: number;
  fullyDelivered: boolean;
  /** Some delivery arrived after the promised delivery date. */
  late: boolean;
  lateDeliveries: number;
  /** Finance let the order through a credit or risk refusal. */
  creditOverridden: boolean;
  cancelReason: string | null;
  placedAt: string;
  updatedAt: string;
};

const orderedItems = (lines: { sku: string; qty: number }[]) => {
  const ordered = new Map<string, number>();
  for (const { sku, qty } of lines) ordered.set(sku, (ordered.get(sku) ?? 0) + qty);
  return [...ordered].map(([sku, qty]) => ({ sku, ordered: qty, delivered: 0 }));
};

/** The orders as `GET /views/orders` filters and sorts them. */
export const ORDER_LIST: ListQuery<'placed' | '-placed' | 'total' | '-total' | 'promised' | '-promised'> = {
  collection: ORDER_DOCS,
  filters: {
    quoteId: { field: 'quoteId', match: 'equal' },
    customerId: { field: 'customerId', match: 'equal' },
    status: { field: 'status', match: 'equal' },
    late: { field: 'late', match: 'equal' },
    currency: { field: 'currency', match: 'equal' },
  },
  sorts: {
    placed: { field: 'placedAt', direction: 'asc' },
    '-placed': { field: 'placedAt', direction: 'desc' },
    total: { field: 'totalMinor', direction: 'asc' },
    '-total': { field: 'totalMinor', direction: 'desc' },
    promised: { field: 'promisedDeliveryDate', direction: 'asc' },
    '-promised': { field: 'promisedDeliveryDate', direction: 'desc' },
  },
};

/** Every order with its delivery progress, lateness against the promised date, and whether it is still open. */
export const ordersProjection: Projection<OrderEvent['type']> = {
  name: ORDERS,
  version: 1,
  collections: [
    {
      name: ORDER_DOCS,
      indexes: {
        status: 'string',
        open: 'boolean',
        late: 'boolean',
        customerId: 'string',
        quoteId: 'string',
        currency: 'string',
        totalMinor: 'number',
        promisedDeliveryDate: 'string',
        placedAt: 'string',
      },
      compoundIndexes: listIndexes(ORDER_LIST),
    },
  ],
  queries: [ORDER_LIST],
  handles: ['OrderPlaced', 'OrderConfirmed', 'OrderDelivered', 'OrderFullyDelivered', 'OrderCompleted', 'OrderCancelled'],
  documentsFor: (event) => [{ collection: ORDER_DOCS, id: event.data.orderId }],
  apply(event, view) {
    const at = String(event.metadata.occurredAt);
    if (event.type === 'OrderPlaced') {
      const { orderId, quoteId, customerId, total, promisedDeliveryDate, lines, creditOverride } = event.data;
      const placed: OrderView = {
        id: orderId,
        quoteId,
        customerId,
        status: 'placed',
        open: true,
        total,
        totalMinor: total.minor,
        currency: total.currency,
        promisedDeliveryDate,
        items: orderedItems(lines),
        deliveries: 0,
        fullyDelivered: false,
        late: false,
        lateDeliveries: 0,
        creditOverridden: creditOverride !== undefined,
        cancelReason: null,
        placedAt: at,
        updatedAt: at,
      };
      view.put(ORDER_DOCS, placed);
      return;
    }
    const current = view.get(ORDER_DOCS, event.data.orderId) as OrderView | null;
    if (!current) return;
    const put = (changes: Partial<OrderView>) => view.put(ORDER_DOCS, { ...current, ...changes, updatedAt: at });
    switch (event.type) {
      case 'OrderConfirmed':
        return put({ status: 'confirmed' });
      case 'OrderDelivered': {
        const { deliveredToDate, late } = event.data;
        return put({
          items: deliveredToDate,
          deliveries: current.deliveries + 1,
          late: current.late || late,
          lateDeliveries: current.lateDeliveries + (late ? 1 : 0),
        });
      }
      case 'OrderFullyDelivered':
        return put({ fullyDelivered: true });
      case 'OrderCompleted':
        return put({ status: 'completed', open: false });
      case 'OrderCancelled':
        return put({ status: 'cancelled', open: false, cancelReason: event.data.reason });
    }
  },
};
