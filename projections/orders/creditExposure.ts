import { ViewBehind } from '../../application/errors.js';
import type { CreditExposure } from '../../application/ports/creditExposure.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { ProjectionProgress } from '../projectionProgress.js';
import type { ViewReader } from '../viewReader.js';
import { ORDER_DOCS, ORDERS, type OrderView } from './ordersProjection.js';

/**
 * The customer's exposure, from the orders view once it has applied everything in the log when
 * asked. Two orders for one customer placed at the same instant can still each miss the other
 * (they append to different streams); closing that gap needs a per-customer credit stream.
 */
export const creditExposureFromOrders = (deps: { eventStore: EventStore; progress: Pick<ProjectionProgress, 'waitFor'>; views: ViewReader; waitMs: number }): CreditExposure => ({
  async openOrdersTotal(customerId, currency) {
    const head = await deps.eventStore.headPosition();
    if (head !== null && !(await deps.progress.waitFor([ORDERS], head, deps.waitMs))) throw new ViewBehind([ORDERS], head);
    const totals = new Map<string, bigint>();
    let cursor: string | undefined;
    do {
      const page = await deps.views.find(ORDERS, ORDER_DOCS, { where: { customerId, open: true }, limit: 200, ...(cursor ? { cursor } : {}) });
      for (const order of page.items as OrderView[]) totals.set(order.currency, (totals.get(order.currency) ?? 0n) + BigInt(order.totalMinor));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const other = [...totals].find(([c, minor]) => c !== currency && minor !== 0n);
    if (other) return { minor: other[1], currency: other[0] };
    return { minor: totals.get(currency) ?? 0n, currency };
  },
});
