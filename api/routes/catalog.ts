import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { CustomerTier } from '../../domain/customer/customer.js';
import { NonNegativeMoney } from '../../domain/shared/money.js';
import { companyDay } from '../../domain/shared/calendar.js';
import { actionRoutes } from '../actionRoute.js';
import { commandEnvelope, commandResponses, newStreamId, sendCommandResult } from '../commands.js';
import { Instant, Reason, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

/** A SKU names its product's stream (product-<sku>), so it keeps to characters a stream id allows. */
const Sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits and . _ -, at most 64, starting with a letter or digit');
const SkuParams = z.object({ sku: Sku }).strict();

/** Any ISO-8601 instant with a zone; stored as UTC. */

const ProductBody = z
  .object({
    sku: Sku,
    name: ShortText(200),
    capabilities: z.array(ShortText(200)).max(100),
    maxSla: z.object({ availabilityPct: z.number().min(0).max(100), responseHours: z.number().min(0).max(8760) }).strict(),
    leadTimeDays: z.number().int().min(0).max(3650),
    listPrice: NonNegativeMoney,
    floorPrice: NonNegativeMoney,
    unitCost: NonNegativeMoney,
  })
  .strict();

const PromotionBody = z
  .object({
    id: Uuid.optional(),
    name: ShortText(200).optional(),
    skus: z.array(Sku).max(500),
    discountPct: z.number().min(0).max(100),
    validFrom: Instant,
    validTo: Instant,
    eligibility: z
      .object({ tiers: z.array(CustomerTier).max(3).optional(), regions: z.array(ShortText(100)).max(100).optional() })
      .strict()
      .default({}),
  })
  .strict()
  .refine((b) => Date.parse(b.validTo) > Date.parse(b.validFrom), { path: ['validTo'], message: 'must be after validFrom' });

export const catalogRoutes =
  ({ commands: { products, promotions } }: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/products',
      {
        config: { allow: PERMISSIONS.manageCatalog },
        schema: {
          tags: ['catalog'],
          summary: 'Publish a product with its capabilities, most it can promise, lead time and prices',
          description: 'maxSla bounds what a seller may promise; a floor below cost is set later, by a price revision that says why.',
          body: ProductBody,
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const result = await products.publish(request.body, commandEnvelope(request));
        return sendCommandResult(reply, request.body.sku, result, 201);
      },
    );

    app.post(
      '/products/:sku/price',
      {
        config: { allow: PERMISSIONS.manageCatalog },
        schema: {
          tags: ['catalog'],
          summary: "Revise a product's prices (floor never above list, never below cost without a reason)",
          params: SkuParams,
          body: z.object({ listPrice: NonNegativeMoney, floorPrice: NonNegativeMoney, unitCost: NonNegativeMoney.optional(), reason: Reason.optional() }).strict(),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { listPrice, floorPrice, unitCost, reason } = request.body;
        const prices = { listPrice, floorPrice, ...(unitCost ? { unitCost } : {}), ...(reason ? { reason } : {}) };
        const result = await products.revisePrice(request.params.sku, prices, commandEnvelope(request));
        return sendCommandResult(reply, request.params.sku, result, 200);
      },
    );

    app.post(
      '/products/:sku/retire',
      {
        config: { allow: PERMISSIONS.manageCatalog },
        schema: {
          tags: ['catalog'],
          summary: 'Retire a product: it can no longer be quoted',
          params: SkuParams,
          body: z.object({ reason: Reason.optional() }).strict().default({}),
          response: { 200: commandResponses[200] },
        },
      },
      async (request, reply) => {
        const { reason } = request.body;
        const result = await products.retire(request.params.sku, reason ? { reason } : {}, commandEnvelope(request));
        return sendCommandResult(reply, request.params.sku, result, 200);
      },
    );

    app.post(
      '/promotions',
      {
        config: { allow: PERMISSIONS.manageCatalog },
        schema: {
          tags: ['catalog'],
          summary: 'Launch a promotion on published products for a validity window',
          description:
            'The window is [validFrom, validTo). eligibility.tiers and eligibility.regions restrict who may have it; missing or empty places no restriction.',
          body: PromotionBody,
          response: { 201: commandResponses[201] },
        },
      },
      async (request, reply) => {
        const promotionId = newStreamId(request, request.body.id);
        const { skus, discountPct, eligibility } = request.body;
        const { validFrom, validTo } = request.body;
        const name = request.body.name ?? `${discountPct}% off, ${companyDay(validFrom)} to ${companyDay(validTo)}`;
        const result = await promotions.launch({ promotionId, name, skus, discountPct, validFrom, validTo, eligibility }, commandEnvelope(request));
        return sendCommandResult(reply, promotionId, result, 201);
      },
    );

    actionRoutes(app, { tags: ['catalog'] })('/promotions/:id/end', {
      config: { allow: PERMISSIONS.manageCatalog },
      summary: 'End a running promotion early, with the reason',
      body: z.object({ reason: Reason }).strict(),
      handle: (id, ending, envelope) => promotions.end(id, ending, envelope),
    });
  };
