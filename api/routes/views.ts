import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FindQuery } from '../../application/ports/readStore.js';
import { PERMISSIONS } from '../../application/roles.js';
import { Stage } from '../../domain/opportunity/opportunity.js';
import { OPPORTUNITIES, PIPELINE, STAGE_TOTALS, type StageTotalView } from '../../projections/pipeline/pipelineProjection.js';
import { awaitPosition } from '../readYourWrites.js';
import { PageQuery, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const PIPELINE_SORTS = {
  amount: { field: 'amountMinor', direction: 'asc' },
  '-amount': { field: 'amountMinor', direction: 'desc' },
  age: { field: 'openedAt', direction: 'asc' },
  '-age': { field: 'openedAt', direction: 'desc' },
} as const satisfies Record<string, FindQuery['orderBy']>;

const MoneyOut = z.object({ minor: z.number(), currency: z.string() });

const OpportunityItem = z.object({
  id: z.string(),
  customerId: z.string(),
  title: z.string(),
  ownerId: z.string(),
  stage: z.string(),
  status: z.string(),
  amount: MoneyOut,
  openedAt: z.string(),
  updatedAt: z.string(),
});

export const viewRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    const { views } = services;

    app.get(
      '/views/pipeline',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'Open opportunities, filtered and sorted, a page at a time',
          description: 'sort: amount | -amount | age (oldest first) | -age. Pass nextCursor back as cursor for the next page.',
          querystring: z
            .object({
              ownerId: ShortText(200).optional(),
              stage: Stage.optional(),
              customerId: Uuid.optional(),
              currency: z.string().regex(/^[A-Z]{3}$/).optional(),
              sort: z.enum(['amount', '-amount', 'age', '-age']).default('-amount'),
              ...PageQuery,
            })
            .strict(),
          response: { 200: z.object({ items: z.array(OpportunityItem), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { ownerId, stage, customerId, currency, sort, limit, cursor, after } = request.query;
        await awaitPosition(services, request, [PIPELINE], after);
        const where: NonNullable<FindQuery['where']> = { status: 'open' };
        if (ownerId) where.ownerId = ownerId;
        if (stage) where.stage = stage;
        if (customerId) where.customerId = customerId;
        if (currency) where.currency = currency;
        const page = await views.find(PIPELINE, OPPORTUNITIES, { where, orderBy: PIPELINE_SORTS[sort], limit, ...(cursor ? { cursor } : {}) });
        return { items: page.items as z.infer<typeof OpportunityItem>[], nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/views/pipeline/summary',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'Count and total amount of open opportunities per stage',
          querystring: z.object({ after: PageQuery.after }).strict(),
          response: {
            200: z.object({
              stages: z.array(z.object({ stage: Stage, count: z.number(), totals: z.array(MoneyOut) })),
            }),
          },
        },
      },
      async (request) => {
        await awaitPosition(services, request, [PIPELINE], request.query.after);
        const totals = (await views.all(PIPELINE, STAGE_TOTALS)) as StageTotalView[];
        const stages = Stage.options.map((stage) => {
          const rows = totals.filter((t) => t.stage === stage).sort((a, b) => a.currency.localeCompare(b.currency));
          return {
            stage,
            count: rows.reduce((n, r) => n + r.count, 0),
            totals: rows.map((r) => ({ minor: r.totalMinor, currency: r.currency })),
          };
        });
        return { stages };
      },
    );
  };
