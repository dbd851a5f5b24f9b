import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FindQuery } from '../../application/ports/readStore.js';
import { requirePolicyInForce } from '../../application/policy/policyInForce.js';
import { PERMISSIONS } from '../../application/roles.js';
import { Stage } from '../../domain/opportunity/opportunity.js';
import { forecast } from '../../projections/pipeline/forecast.js';
import { OPPORTUNITIES, OWNER_STAGE_TOTALS, OWNER_STAGE_TOTALS_SINCE, PIPELINE, STAGE_TOTALS, type StageTotalView } from '../../projections/pipeline/pipelineProjection.js';
import { awaitPosition } from '../readYourWrites.js';
import { PageQuery, ShortText, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const Currency = z.string().regex(/^[A-Z]{3}$/);

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
    const { views, eventStore, clock } = services;

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
              currency: Currency.optional(),
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

    app.get(
      '/views/pipeline/forecast',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'Open opportunities per stage weighted by the stage probabilities of the policy in force',
          description:
            'weighted = total x probability, in minor units rounded half-up; the overall weighted total is per currency. policyRevision names the revision whose probabilities were used.',
          querystring: z.object({ ownerId: ShortText(200).optional(), currency: Currency.optional(), after: PageQuery.after }).strict(),
          response: {
            200: z.object({
              policyRevision: z.number(),
              asOf: z.string(),
              stages: z.array(
                z.object({ stage: Stage, count: z.number(), probability: z.number(), totals: z.array(MoneyOut), weighted: z.array(MoneyOut) }),
              ),
              weighted: z.array(MoneyOut),
            }),
          },
        },
      },
      async (request) => {
        const { ownerId, currency, after } = request.query;
        await awaitPosition(services, request, [PIPELINE], after);
        const asOf = clock.now();
        const policy = await requirePolicyInForce(eventStore, asOf);
        const totals = (await (ownerId
          ? views.all(PIPELINE, OWNER_STAGE_TOTALS, { where: { ownerId }, sinceVersion: OWNER_STAGE_TOTALS_SINCE })
          : views.all(PIPELINE, STAGE_TOTALS))) as StageTotalView[];
        const { stages, weighted } = forecast(
          currency ? totals.filter((t) => t.currency === currency) : totals,
          policy.stageProbabilities,
        );
        return { policyRevision: policy.revision, asOf, stages, weighted };
      },
    );
  };
