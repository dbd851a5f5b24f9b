import { describe, it } from 'vitest';
import { orderDecider, paymentRules, type OrderEvent } from '../../domain/order/order.js';
import { deciderSpecification, defaultContext } from '../support/deciderSpecification.js';

const cny = (minor: number) => ({ minor, currency: 'CNY' });
const finance = { actor: { id: 'fin-1', role: 'finance' } };
const spec = deciderSpecification(orderDecider, { ...defaultContext, ...finance } as never);
const now = defaultContext.now; // 2026-11-27T09:00:00Z

const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId: 'ord1',
    quoteId: 'q1',
    customerId: 'c1',
    lines: [{ sku: 'FW-100', qty: 10, unitPrice: cny(100_000), netTotal: cny(1_000_000) }],
    total: cny(1_000_000),
    promisedDeliveryDate: '2026-12-15',
    creditCheck: { limit: cny(5_000_000), openOrdersTotal: cny(0), riskFlagged: false },
  },
};
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId: 'ord1', customerId: 'c1', total: cny(1_000_000), reason: 'budget withdrawn' } };
const pay = { type: 'ReceivePayment' as const, paymentId: 'p1', amount: cny(400_000), receivedAt: '2026-11-26T03:00:00.000Z', reference: 'BOC-0001' };
const paid: OrderEvent = {
  type: 'PaymentReceived',
  data: { orderId: 'ord1', customerId: 'c1', paymentId: 'p1', amount: cny(400_000), receivedAt: '2026-11-26T03:00:00.000Z', reference: 'BOC-0001', paidToDate: cny(400_000) },
};
const refund = { type: 'IssueRefund' as const, refundId: 'r1', amount: cny(100_000), reason: 'one unit returned', refundedAt: now };

describe('Payments and refunds on an order', () => {
  it('records a partial payment with what is paid to date', () => spec.given([placed]).when(pay).then([paid]));

  it('records the rest, up to the total exactly', () =>
    spec
      .given([placed, paid])
      .when({ ...pay, paymentId: 'p2', amount: cny(600_000), reference: 'BOC-0002' })
      .then([{ type: 'PaymentReceived', data: { ...paid.data, paymentId: 'p2', amount: cny(600_000), reference: 'BOC-0002', paidToDate: cny(1_000_000) } }]));

  it('records a refund of what was paid, with what remains paid', () =>
    spec
      .given([placed, paid])
      .when(refund)
      .then([{ type: 'RefundIssued', data: { orderId: 'ord1', customerId: 'c1', refundId: 'r1', amount: cny(100_000), reason: 'one unit returned', refundedAt: now, paidToDate: cny(300_000) } }]));

  it('refunds a cancelled order', () =>
    spec.given([placed, paid, cancelled]).when({ ...refund, amount: cny(400_000) }).then([
      { type: 'RefundIssued', data: { orderId: 'ord1', customerId: 'c1', refundId: 'r1', amount: cny(400_000), reason: 'one unit returned', refundedAt: now, paidToDate: cny(0) } },
    ]));

  it('PAY-01: refuses cash on an order never placed', () => spec.given([]).when(pay).thenRefuses(paymentRules.placedOrderOnly));
  it("PAY-02: refuses a payment in another currency, or of nothing", () => {
    spec.given([placed]).when({ ...pay, amount: { minor: 400_000, currency: 'USD' } }).thenRefuses(paymentRules.realAmount, /CNY/);
    spec.given([placed]).when({ ...pay, amount: cny(0) }).thenRefuses(paymentRules.realAmount);
  });
  it("PAY-03: refuses paying more than the order's total", () =>
    spec.given([placed, paid]).when({ ...pay, paymentId: 'p2', amount: cny(600_001), reference: 'BOC-0002' }).thenRefuses(paymentRules.neverOverpaid));
  it('PAY-04: refuses a refund above what was paid', () => spec.given([placed, paid]).when({ ...refund, amount: cny(400_001) }).thenRefuses(paymentRules.refundWithinPaid));
  it('PAY-05: refuses a payment on a cancelled order', () => spec.given([placed, cancelled]).when(pay).thenRefuses(paymentRules.noPaymentOnCancelled));
  it('PAY-06: refuses a refund without a reason', () => spec.given([placed, paid]).when({ ...refund, reason: ' ' }).thenRefuses(paymentRules.explained));
  it('PAY-07: refuses cash dated after now', () => spec.given([placed]).when({ ...pay, receivedAt: '2026-11-27T09:00:01.000Z' }).thenRefuses(paymentRules.notInFuture));
  it('PAY-08: refuses the same bank reference twice, and the same refund twice', () => {
    spec.given([placed, paid]).when({ ...pay, paymentId: 'p2', amount: cny(1) }).thenRefuses(paymentRules.recordedOnce);
    const refunded: OrderEvent = { type: 'RefundIssued', data: { orderId: 'ord1', customerId: 'c1', refundId: 'r1', amount: cny(1), reason: 'x', refundedAt: now, paidToDate: cny(399_999) } };
    spec.given([placed, paid, refunded]).when(refund).thenRefuses(paymentRules.recordedOnce);
  });
  it('PAY-09: refuses cash recorded by a seller', () => spec.given([placed]).when(pay, { actor: { id: 'rep-1', role: 'sales_rep' } }).thenRefuses(paymentRules.byFinance));
});
