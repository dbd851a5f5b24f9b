import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandEnvelope } from '../../application/commandPipeline.js';
import { idFromKey } from '../../application/ids.js';
import { NotFound } from '../../application/errors.js';
import { loadAggregate } from '../../application/loadAggregate.js';
import { PERMISSIONS } from '../../application/roles.js';
import { customerDecider, customerFacts, customerStreamId } from '../../domain/customer/customer.js';
import { orderDecider, orderStreamId, type OrderCommand, type OrderLine } from '../../domain/order/order.js';
import { quoteDecider, quoteStreamId } from '../../domain/quote/quote.js';
import type { Money } from '../../domain/shared/money.js';
import { ORDER_DOCS, ORDERS, type OrderView } from '../../projections/orders/ordersProjection.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { awaitPosition } from '../readYourWrites.js';
import { Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const NoBody = z.object({}).strict().default({});

export const orderRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { pipeline, eventStore, views } = services;

    /**
     * The customer's exposure: totals of its orders neither completed nor cancelled, from the
     * orders view once it has applied everything in the log when the command started. Two
     * orders for one customer placed at the same instant can still each miss the other (they
     * append to different streams); closing that gap needs a per-customer credit stream.
     */
    const openOrdersTotal = async (request: FastifyRequest, customerId: string, currency: string): Promise<Money> => {
      const head = await eventStore.headPosition();
      if (head !== null) await awaitPosition(services, request, [ORDERS], head);
      const totals = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await views.find(ORDERS, ORDER_DOCS, { where: { customerId, open: true }, limit: 200, ...(cursor ? { cursor } : {}) });
        for (const order of page.items as OrderView[]) totals.set(order.currency, (totals.get(order.currency) ?? 0) + order.totalMinor);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      // Exposure in several currencies cannot be summed; handing the order a total in another
      // currency than its limit's makes it refuse, as it refuses any order it cannot check.
      const other = [...totals].find(([c, minor]) => c !== currency && minor !== 0);
      if (other) return { minor: other[1], currency: other[0] };
      return { minor: totals.get(currency) ?? 0, currency };
    };

    const act = (id: string, command: OrderCommand, envelope: CommandEnvelope) =>
      pipeline.handle({
        streamId: orderStreamId(id),
        aggregate: 'Order',
        aggregateId: id,
        decider: orderDecider,
        command,
        expects: 'existing',
        envelope,
        metadata: (state) => (state.status === 'none' ? {} : { customerId: state.customerId }),
      });

    app.post(
      '/orders',
      {
        config: { allow: PERMISSIONS.order },
        schema: {
          tags: ['orders'],
          summary: 'Place an order from an accepted quote, within the customer credit limit',
          description:
            "Lines, prices and total are the accepted quote's. Refused (422) beyond the credit limit, with no limit set, or for a customer flagged as a risk, unless finance overrides with a reason. One order per quote: the order's id is derived from the quote's, so a second order for the same quote is 409.",
          body: z
            .object({
              quoteId: Uuid,
              promisedDeliveryDate: z.iso.date(),
              creditOverride: z.object({ reason: Reason }).strict().optional(),
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { quoteId, promisedDeliveryDate, creditOverride } = request.body;
        // An accepted quote is ordered once: the stream's own uniqueness enforces it, in any store.
        const orderId = idFromKey('order-for-quote', quoteId);
        const loaded = await loadAggregate(eventStore, quoteDecider, quoteStreamId(quoteId));
        if (!loaded || loaded.state.status === 'none') throw new NotFound('Quote', quoteId);
        // Read once: an accepted quote never changes again, and any other status is refused whatever it becomes.
        const quote = loaded.state;
        const { customerId, total } = quote;
        const lines: OrderLine[] = quote.lines.map(({ sku, qty, unitPrice, netTotal }) => ({ sku, qty, unitPrice, netTotal }));
        const result = await pipeline.handle({
          streamId: orderStreamId(orderId),
          aggregate: 'Order',
          aggregateId: orderId,
          decider: orderDecider,
          command: { type: 'PlaceOrder', orderId, quoteId, customerId, lines, total, promisedDeliveryDate, ...(creditOverride ? { creditOverride } : {}) },
          expects: 'new',
          envelope: commandEnvelope(request),
          context: async (_state, base) => {
            const customer = await loadAggregate(eventStore, customerDecider, customerStreamId(customerId));
            const facts = customer?.state.status === 'registered' ? customerFacts(customer.state) : null;
            return {
              ...base,
              quote: { status: quote.status, customerId, lines, total },
              customer: facts,
              openOrdersTotal: await openOrdersTotal(request, customerId, facts?.creditLimit?.currency ?? total.currency),
            };
          },
          metadata: () => ({ customerId }),
        });
        return sendCommandResult(reply, orderId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['orders'], act });

    action('/orders/:id/confirm', {
      config: { allow: PERMISSIONS.order },
      summary: 'Confirm a placed order',
      body: NoBody,
      command: () => ({ type: 'ConfirmOrder' }),
    });

    action('/orders/:id/deliver', {
      config: { allow: PERMISSIONS.order },
      summary: 'Record a delivery, partial or whole; never more than ordered. After the promised date it is recorded as late',
      body: z
        .object({
          deliveryId: Uuid.optional(),
          lines: z.array(z.object({ sku: ShortText(100), qty: z.number().int().min(1).max(1_000_000_000) }).strict()).max(200),
        })
        .strict(),
      // Named like a new stream: the caller's, else from the Idempotency-Key, so a retry names the same delivery.
      command: ({ deliveryId, lines }, request) => ({ type: 'DeliverOrder', deliveryId: newStreamId(request, deliveryId), lines }),
    });

    action('/orders/:id/complete', {
      config: { allow: PERMISSIONS.order },
      summary: 'Complete an order once everything is delivered',
      body: NoBody,
      command: () => ({ type: 'CompleteOrder' }),
    });

    action('/orders/:id/cancel', {
      config: { allow: PERMISSIONS.order },
      summary: 'Cancel an order before anything is delivered, with the reason',
      body: z.object({ reason: Reason }).strict(),
      command: ({ reason }) => ({ type: 'CancelOrder', reason }),
    });
  };
