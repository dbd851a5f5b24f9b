import type { ExactSum } from '../../domain/shared/money.js';

/** What a customer already owes on orders neither completed nor cancelled: the credit check (ORD-07) adds a new order to it. */
export interface CreditExposure {
  /**
   * The total of the customer's open orders in `currency`, as of everything in the log when asked,
   * exact however large (ORD-20 refuses an order that would carry it past the amount limit).
   * Exposure in another currency cannot be summed with it, so where there is any, it is returned
   * in that currency instead, and the order refuses what it cannot check.
   */
  openOrdersTotal(customerId: string, currency: string): Promise<ExactSum>;
}
