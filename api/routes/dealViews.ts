import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../application/errors.js';
import type { FindQuery } from '../../application/ports/readStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { QuoteStatus } from '../../domain/quote/quote.js';
import { ORDER_DOCS, ORDER_LIST, ORDERS } from '../../projections/orders/ordersProjection.js';
import { QUOTE_DOCS, QUOTE_LIST, QUOTES } from '../../projections/quotes/quotesProjection.js';
import { awaitPosition } from '../readYourWrites.js';
import { ownerFilter } from '../sellerScope.js';
import { IdParams, PageQuery, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const MoneyOut = z.object({ minor: z.number(), currency: z.string() });

const QuoteItem = z.object({
  id: z.string(),
  opportunityId: z.string(),
  customerId: z.string(),
  ownerId: z.string(),
  status: QuoteStatus,
  validUntil: z.string(),
  lines: z.array(
    z.object({
      sku: z.string(),
      qty: z.number(),
      listPrice: MoneyOut,
      unitPrice: MoneyOut,
      discountPct: z.number(),
      promotionId: z.string().nullable(),
      discountAmount: MoneyOut,
      netTotal: MoneyOut,
    }),
  ),
  subtotal: MoneyOut,
  discountTotal: MoneyOut,
  total: MoneyOut,
  approvalRequired: z.boolean().nullable(),
  approvalReasons: z.array(z.string()),
  submittedBy: z.string().nullable(),
  decidedBy: z.string().nullable(),
  reason: z.string().nullable(),
  draftedAt: z.string(),
  updatedAt: z.string(),
});

const OrderStatus = z.enum(['placed', 'confirmed', 'completed', 'cancelled']);

const OrderItem = z.object({
  id: z.string(),
  quoteId: z.string(),
  customerId: z.string(),
  status: OrderStatus,
  open: z.boolean(),
  total: MoneyOut,
  promisedDeliveryDate: z.string(),
  items: z.array(z.object({ sku: z.string(), ordered: z.number(), delivered: z.number() })),
  deliveries: z.number(),
  fullyDelivered: z.boolean(),
  late: z.boolean(),
  lateDeliveries: z.number(),
  creditOverridden: z.boolean(),
  cancelReason: z.string().nullable(),
  placedAt: z.string(),
  updatedAt: z.string(),
});

const Currency = z.string().regex(/^[A-Z]{3}$/);

export const dealViewRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { views } = services;

    app.get(
      '/views/quotes',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'Quotes, filtered and sorted, a page at a time',
          description:
            "sort: drafted | -drafted | total | -total | validUntil | -validUntil. Pass nextCursor back as cursor for the next page. A sales rep sees the quotes on their own deals, a sales manager their team's (ownerId outside that is 403); other roles see all.",
          querystring: z
            .object({
              status: QuoteStatus.optional(),
              customerId: Uuid.optional(),
              opportunityId: Uuid.optional(),
              ownerId: ShortText(200).optional(),
              currency: Currency.optional(),
              sort: z.enum(['drafted', '-drafted', 'total', '-total', 'validUntil', '-validUntil']).default('-drafted'),
              ...PageQuery,
            })
            .strict(),
          response: { 200: z.object({ items: z.array(QuoteItem), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { status, customerId, opportunityId, ownerId, currency, sort, limit, cursor, after } = request.query;
        await awaitPosition(services, request, [QUOTES], after);
        const where: NonNullable<FindQuery['where']> = {};
        if (status) where.status = status;
        if (customerId) where.customerId = customerId;
        if (opportunityId) where.opportunityId = opportunityId;
        const owners = await ownerFilter(services, request, ownerId);
        if (owners) where.ownerId = owners;
        if (currency) where.currency = currency;
        const page = await views.find(QUOTES, QUOTE_LIST.collection, { where, orderBy: QUOTE_LIST.sorts[sort], limit, ...(cursor ? { cursor } : {}) });
        return { items: page.items as z.infer<typeof QuoteItem>[], nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/views/quotes/:id',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'One quote as the view has it',
          params: IdParams,
          querystring: z.object({ after: PageQuery.after }).strict(),
          response: { 200: QuoteItem },
        },
      },
      async (request) => {
        await awaitPosition(services, request, [QUOTES], request.query.after);
        const quote = (await views.get(QUOTES, QUOTE_DOCS, request.params.id)) as z.infer<typeof QuoteItem> | null;
        if (!quote) throw new NotFound('Quote', request.params.id);
        await ownerFilter(services, request, quote.ownerId);
        return quote;
      },
    );

    app.get(
      '/views/orders',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'Orders with their delivery progress, filtered and sorted, a page at a time',
          description:
            'late=true lists orders with a delivery recorded after the promised date. sort: placed | -placed | total | -total | promised | -promised. Pass nextCursor back as cursor for the next page.',
          querystring: z
            .object({
              status: OrderStatus.optional(),
              late: z.enum(['true', 'false']).optional(),
              customerId: Uuid.optional(),
              quoteId: Uuid.optional(),
              currency: Currency.optional(),
              sort: z.enum(['placed', '-placed', 'total', '-total', 'promised', '-promised']).default('-placed'),
              ...PageQuery,
            })
            .strict(),
          response: { 200: z.object({ items: z.array(OrderItem), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { status, late, customerId, quoteId, currency, sort, limit, cursor, after } = request.query;
        await awaitPosition(services, request, [ORDERS], after);
        const where: NonNullable<FindQuery['where']> = {};
        if (status) where.status = status;
        if (late) where.late = late === 'true';
        if (customerId) where.customerId = customerId;
        if (quoteId) where.quoteId = quoteId;
        if (currency) where.currency = currency;
        const page = await views.find(ORDERS, ORDER_LIST.collection, { where, orderBy: ORDER_LIST.sorts[sort], limit, ...(cursor ? { cursor } : {}) });
        return { items: page.items as z.infer<typeof OrderItem>[], nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/views/orders/:id',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'One order as the view has it',
          params: IdParams,
          querystring: z.object({ after: PageQuery.after }).strict(),
          response: { 200: OrderItem },
        },
      },
      async (request) => {
        await awaitPosition(services, request, [ORDERS], request.query.after);
        const order = await views.get(ORDERS, ORDER_DOCS, request.params.id);
        if (!order) throw new NotFound('Order', request.params.id);
        return order as z.infer<typeof OrderItem>;
      },
    );
  };
