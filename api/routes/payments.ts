import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { Money } from '../../domain/shared/money.js';
import { actionRoutes } from '../actionRoute.js';
import { newStreamId } from '../commands.js';
import { Instant, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** Cash on an order: what plans that pay on collection credit, and what a clawback follows. */
export const paymentRoutes =
  ({ commands: { orders } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const action = actionRoutes(app, { tags: ['orders'] });

    action('/orders/:id/payments', {
      config: { allow: PERMISSIONS.recordCash },
      summary: 'Record a payment received against an order (finance); partial payments add up, never past the total',
      description:
        "amount is in the order's currency and above zero (PAY-02); all paid, net of refunds, never more than the order's total (PAY-03); a cancelled order takes none (PAY-05); receivedAt not after now (PAY-07); a bank reference is recorded once per order (PAY-08).",
      status: 201,
      body: z.object({ paymentId: Uuid.optional(), amount: Money, receivedAt: Instant, reference: ShortText(200) }).strict(),
      handle: (id, { paymentId, ...payment }, envelope, request) => orders.receivePayment(id, { paymentId: newStreamId(request, paymentId), ...payment }, envelope),
    });

    action('/orders/:id/refunds', {
      config: { allow: PERMISSIONS.recordCash },
      summary: 'Record a refund of an order (finance): never more than was paid; a refund within a plan\'s clawback window claws back what the deal earned',
      status: 201,
      body: z.object({ refundId: Uuid.optional(), amount: Money, reason: Reason, refundedAt: Instant }).strict(),
      handle: (id, { refundId, ...refund }, envelope, request) => orders.refund(id, { refundId: newStreamId(request, refundId), ...refund }, envelope),
    });
  };
