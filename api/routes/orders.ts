import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { NonNegativeMoney } from '../../domain/shared/money.js';
import { LineQuantity } from '../../domain/shared/quantity.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { CalendarDay, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const NoBody = z.object({}).strict().default({});

/** A line of the customer's purchase order, as the order desk keyed it in. */
const OrderLineInput = z.object({ sku: ShortText(100), qty: LineQuantity, unitPrice: NonNegativeMoney, netTotal: NonNegativeMoney }).strict();

export const orderRoutes =
  ({ commands: { orders } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/orders',
      {
        config: { allow: PERMISSIONS.order },
        schema: {
          tags: ['orders'],
          summary: 'Place an order from an accepted quote, within the customer credit limit',
          description:
            "Lines, prices and total are the accepted quote's. An order desk keying in the customer's purchase order may also send its customerId, lines (in any order) and total: each one sent must match the quote as its stream records it, else 422 naming ORD-03 (another customer) or ORD-04 (other lines, prices or total). Refused (422) beyond the credit limit, with no limit set, or for a customer flagged as a risk, unless finance overrides with a reason; refused whatever the override when the customer's open orders with this one would pass 10^15 minor units (ORD-20). One order per quote: the order's id is derived from the quote's, so a second order for the same quote is 409.",
          body: z
            .object({
              quoteId: Uuid,
              promisedDeliveryDate: CalendarDay,
              creditOverride: z.object({ reason: Reason }).strict().optional(),
              customerId: Uuid.optional(),
              lines: z.array(OrderLineInput).max(200).optional(),
              total: NonNegativeMoney.optional(),
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const { orderId, result } = await orders.place(request.body, commandEnvelope(request));
        return sendCommandResult(reply, orderId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['orders'] });

    action('/orders/:id/confirm', {
      config: { allow: PERMISSIONS.order },
      summary: 'Confirm a placed order',
      body: NoBody,
      handle: (id, _body, envelope) => orders.confirm(id, envelope),
    });

    action('/orders/:id/deliver', {
      config: { allow: PERMISSIONS.order },
      summary: 'Record a delivery, partial or whole; never more than ordered. After the promised date it is recorded as late',
      body: z
        .object({
          deliveryId: Uuid.optional(),
          lines: z.array(z.object({ sku: ShortText(100), qty: LineQuantity }).strict()).max(200),
        })
        .strict(),
      // Named like a new stream: the caller's, else from the Idempotency-Key, so a retry names the same delivery.
      handle: (id, { deliveryId, lines }, envelope, request) => orders.deliver(id, { deliveryId: newStreamId(request, deliveryId), lines }, envelope),
    });

    action('/orders/:id/complete', {
      config: { allow: PERMISSIONS.order },
      summary: 'Complete an order once everything is delivered',
      body: NoBody,
      handle: (id, _body, envelope) => orders.complete(id, envelope),
    });

    action('/orders/:id/cancel', {
      config: { allow: PERMISSIONS.order },
      summary: 'Cancel an order before anything is delivered, with the reason',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, cancellation, envelope) => orders.cancel(id, cancellation, envelope),
    });
  };
