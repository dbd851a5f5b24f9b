import { customerAggregate, customerFacts } from '../../domain/customer/customer.js';
import { orderAggregate, type CancelOrder, type DeliverOrder, type IssueRefund, type PlaceOrder, type ReceivePayment } from '../../domain/order/order.js';
import { quoteAggregate } from '../../domain/quote/quote.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { NotFound } from '../errors.js';
import { idFromKey } from '../ids.js';
import { stateOf } from '../loadAggregate.js';
import type { CreditExposure } from '../ports/creditExposure.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** An accepted quote is ordered once: the order's id derives from the quote's, so the stream's own uniqueness enforces it, in any store. */
const orderIdFor = (quoteId: string) => idFromKey('order-for-quote', quoteId);

/** Orders (articles 17, 40): placed from an accepted quote within the customer's credit, delivered in part or whole, completed or cancelled. */
export const orderCommands = (pipeline: CommandPipeline, eventStore: EventStore, exposure: CreditExposure) => {
  const orders = new AggregateCommands(pipeline, orderAggregate);
  return {
    /** NotFound for an unknown quote; the order's id answers with the result. */
    async place(order: Omit<Payload<PlaceOrder>, 'orderId'>, envelope: CommandEnvelope) {
      const orderId = orderIdFor(order.quoteId);
      // Read once: an accepted quote never changes again, and any other status is refused whatever it becomes.
      const quote = await stateOf(eventStore, quoteAggregate, order.quoteId);
      if (!quote || quote.status === 'none') throw new NotFound(quoteAggregate.name, order.quoteId);
      const { status, customerId, total } = quote;
      const lines = quote.lines.map(({ sku, qty, unitPrice, netTotal }) => ({ sku, qty, unitPrice, netTotal }));
      const result = await orders.create(orderId, { type: 'PlaceOrder', orderId, ...order }, envelope, {
        facts: async () => {
          const customer = await stateOf(eventStore, customerAggregate, customerId);
          const facts = customer?.status === 'registered' ? customerFacts(customer) : null;
          return {
            quote: { status, customerId, lines, total },
            customer: facts,
            openOrdersTotal: await exposure.openOrdersTotal(customerId, facts?.creditLimit?.currency ?? total.currency),
          };
        },
      });
      return { orderId, result };
    },
    confirm: (orderId: string, envelope: CommandEnvelope) => orders.act(orderId, { type: 'ConfirmOrder' }, envelope),
    deliver: (orderId: string, delivery: Payload<DeliverOrder>, envelope: CommandEnvelope) => orders.act(orderId, { type: 'DeliverOrder', ...delivery }, envelope),
    complete: (orderId: string, envelope: CommandEnvelope) => orders.act(orderId, { type: 'CompleteOrder' }, envelope),
    cancel: (orderId: string, cancellation: Payload<CancelOrder>, envelope: CommandEnvelope) =>
      orders.act(orderId, { type: 'CancelOrder', ...cancellation }, envelope),
    /** Cash received against the order (finance): what plans that pay on collection credit. */
    receivePayment: (orderId: string, payment: Payload<ReceivePayment>, envelope: CommandEnvelope) =>
      orders.act(orderId, { type: 'ReceivePayment', ...payment }, envelope),
    refund: (orderId: string, refund: Payload<IssueRefund>, envelope: CommandEnvelope) => orders.act(orderId, { type: 'IssueRefund', ...refund }, envelope),
  };
};

export type OrderCommands = ReturnType<typeof orderCommands>;
