import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { NonNegativeMoney } from '../../domain/shared/money.js';
import { LineQuantity } from '../../domain/shared/quantity.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { Instant, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const QuoteLineInput = z
  .object({
    sku: ShortText(100),
    qty: LineQuantity,
    unitPrice: NonNegativeMoney,
    // Out of range is bad input; more than two decimals is the quote's rule QUO-05, answered by name.
    discountPct: z.number().min(0).max(100),
    promotionId: Uuid.optional(),
  })
  .strict();

/** Action routes without a body still accept `{}` (or nothing at all). */
const NoBody = z.object({}).strict().default({});

export const quoteRoutes =
  ({ commands: { quotes } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/quotes',
      {
        config: { allow: PERMISSIONS.sell },
        schema: {
          tags: ['quotes'],
          summary: 'Draft a quote for an opportunity, priced from the catalog',
          description:
            'Money in integer minor units, each amount at most 10^15; at most 1,000,000 units a line. Totals are computed: subtotal at list price, discountTotal, total; a line or a total past 10^15 minor units is refused with 422 naming QUO-27. The customer and owner come from the opportunity; every sku and promotion must be in the catalog (404 otherwise).',
          body: z
            .object({
              id: Uuid.optional(),
              opportunityId: Uuid,
              lines: z.array(QuoteLineInput).max(200),
              validUntil: Instant,
            })
            .strict(),
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const quoteId = newStreamId(request, request.body.id);
        const { opportunityId, lines, validUntil } = request.body;
        const result = await quotes.draft({ quoteId, opportunityId, lines, validUntil }, commandEnvelope(request));
        return sendCommandResult(reply, quoteId, result, 201);
      },
    );

    const action = actionRoutes(app, { tags: ['quotes'] });

    action('/quotes/:id/submit', {
      config: { allow: PERMISSIONS.sell },
      summary: "Submit a draft; a discount above the submitter's authority, or a price below floor, then awaits approval",
      body: NoBody,
      handle: (id, _body, envelope) => quotes.submit(id, envelope),
    });

    action('/quotes/:id/approve', {
      config: { allow: PERMISSIONS.decideDiscounts },
      summary:
        'Approve a quote awaiting approval: someone other than the submitter, whose authority covers its discount and, for a price below the floor, a sales manager, finance or admin',
      body: z.object({ reason: Reason.optional() }).strict().default({}),
      handle: (id, { reason }, envelope) => quotes.approve(id, reason ? { reason } : {}, envelope),
    });

    action('/quotes/:id/reject', {
      config: { allow: PERMISSIONS.decideDiscounts },
      summary: 'Reject a quote awaiting approval, with the reason',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, rejection, envelope) => quotes.reject(id, rejection, envelope),
    });

    action('/quotes/:id/send', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Send a submitted (and, where needed, approved) quote to the customer, checked against the policy in force',
      description:
        "A rule whose policy action is block (a price below floor or a discount beyond the submitter's authority with no approval on record, an uncertified seller, a misused promotion) refuses the send with 422, naming the rule and the policy version; one whose action is flag lets it go and raises a finding on the QuoteSent.",
      body: NoBody,
      handle: (id, _body, envelope) => quotes.send(id, envelope),
    });

    action('/quotes/:id/accept', {
      config: { allow: PERMISSIONS.sell },
      summary: "Record the customer's acceptance of a sent quote",
      body: NoBody,
      handle: (id, _body, envelope) => quotes.accept(id, envelope),
    });

    action('/quotes/:id/decline', {
      config: { allow: PERMISSIONS.sell },
      summary: 'Record that the customer declined a sent quote, and why',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, decline, envelope) => quotes.decline(id, decline, envelope),
    });
  };
