import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FindQuery, InCondition } from '../../application/ports/readStore.js';
import { requirePolicyInForce } from '../../application/policy/policyInForce.js';
import { PERMISSIONS } from '../../application/roles.js';
import { Stage } from '../../domain/opportunity/opportunity.js';
import { forecast, type StageTotal } from '../../projections/pipeline/forecast.js';
import { EXACT_TOTALS_SINCE, OPEN_OPPORTUNITIES, OWNER_STAGE_TOTALS, PIPELINE, STAGE_TOTALS, type StageTotalView } from '../../projections/pipeline/pipelineProjection.js';
import type { ViewSource } from '../../projections/viewReader.js';
import { viewsAsOf } from '../pointInTimeQuery.js';
import { awaitPosition } from '../readYourWrites.js';
import { ownerFilter } from '../sellerScope.js';
import { Instant, PageQuery, ShortText, TotalOut, totalOut, Uuid } from '../schemas.js';
import type { ApiServices } from '../services.js';

const Currency = z.string().regex(/^[A-Z]{3}$/);

const MoneyOut = z.object({ minor: z.number(), currency: z.string() });

const AsOf = Instant.optional().describe("As the view stood at this moment, replayed from the log up to it; from the log's first event to now");

/** Rows of one stage or several owners folded into one per stage and currency, in currency order, summed exactly. */
const sumPerCurrency = (rows: readonly StageTotalView[]): StageTotal[] => {
  const summed = new Map<string, StageTotal>();
  for (const row of rows) {
    const id = `${row.stage}|${row.currency}`;
    const into = summed.get(id) ?? { stage: row.stage, currency: row.currency, count: 0, totalMinor: 0n };
    summed.set(id, { ...into, count: into.count + row.count, totalMinor: into.totalMinor + BigInt(row.totalMinor) });
  }
  return [...summed.values()].sort((a, b) => a.stage.localeCompare(b.stage) || a.currency.localeCompare(b.currency));
};

export const OpportunityItem = z.object({
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

    /** The live pipeline view, or the one replayed from the log as of `asOf`. */
    const pipelineAt = async (asOf: string | undefined): Promise<ViewSource> => (asOf === undefined ? views : viewsAsOf(services, asOf, [PIPELINE]));

    /**
     * Open totals per stage and currency: everyone's, or the named owners' summed from their own
     * totals. Not ready while the generation serving reads is one whose totals were not kept exact.
     */
    const stageTotals = async (source: ViewSource, owners: string | InCondition | undefined): Promise<StageTotal[]> =>
      sumPerCurrency(
        (await source.all(PIPELINE, owners === undefined ? STAGE_TOTALS : OWNER_STAGE_TOTALS, {
          ...(owners === undefined ? {} : { where: { ownerId: owners } }),
          sinceVersion: EXACT_TOTALS_SINCE,
        })) as StageTotalView[],
      );

    app.get(
      '/views/pipeline',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: 'Open opportunities, filtered and sorted, a page at a time',
          description:
            "sort: amount | -amount | age (oldest first) | -age. Pass nextCursor back as cursor for the next page. A sales rep sees their own deals, a sales manager their team's (ownerId outside that is 403); other roles see every seller's.",
          querystring: z
            .object({
              ownerId: ShortText(200).optional(),
              stage: Stage.optional(),
              customerId: Uuid.optional(),
              currency: Currency.optional(),
              sort: z.enum(['amount', '-amount', 'age', '-age']).default('-amount'),
              asOf: AsOf,
              ...PageQuery,
            })
            .strict(),
          response: { 200: z.object({ items: z.array(OpportunityItem), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { ownerId, stage, customerId, currency, sort, limit, cursor, after, asOf } = request.query;
        await awaitPosition(services, request, [PIPELINE], after);
        const source = await pipelineAt(asOf);
        const where: NonNullable<FindQuery['where']> = { ...OPEN_OPPORTUNITIES.always };
        const owners = await ownerFilter(services, request, ownerId);
        if (owners) where.ownerId = owners;
        if (stage) where.stage = stage;
        if (customerId) where.customerId = customerId;
        if (currency) where.currency = currency;
        const page = await source.find(PIPELINE, OPEN_OPPORTUNITIES.collection, { where, orderBy: OPEN_OPPORTUNITIES.sorts[sort], limit, ...(cursor ? { cursor } : {}) });
        return { items: page.items as z.infer<typeof OpportunityItem>[], nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/views/pipeline/summary',
      {
        config: { allow: PERMISSIONS.readViews },
        schema: {
          tags: ['views'],
          summary: "Count and total amount of open opportunities per stage (a seller's own, a manager's team's, everyone's for other roles)",
          description: 'Totals are exact: one beyond what a JSON number holds exactly (2^53 - 1 minor units) has minor null and the figure in minorDecimal.',
          querystring: z.object({ asOf: AsOf, after: PageQuery.after }).strict(),
          response: {
            200: z.object({
              stages: z.array(z.object({ stage: Stage, count: z.number(), totals: z.array(TotalOut) })),
            }),
          },
        },
      },
      async (request) => {
        await awaitPosition(services, request, [PIPELINE], request.query.after);
        const totals = await stageTotals(await pipelineAt(request.query.asOf), await ownerFilter(services, request, undefined));
        const stages = Stage.options.map((stage) => {
          const rows = totals.filter((t) => t.stage === stage);
          return {
            stage,
            count: rows.reduce((n, r) => n + r.count, 0),
            totals: rows.map((r) => totalOut({ minor: r.totalMinor, currency: r.currency })),
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
            'weighted = total x probability, in minor units rounded half-up; the overall weighted total is per currency. policyRevision names the revision whose probabilities were used: the one in force at asOf, when given. Totals are exact: one beyond what a JSON number holds exactly (2^53 - 1 minor units) has minor null and the figure in minorDecimal.',
          querystring: z.object({ ownerId: ShortText(200).optional(), currency: Currency.optional(), asOf: AsOf, after: PageQuery.after }).strict(),
          response: {
            200: z.object({
              policyRevision: z.number(),
              asOf: z.string(),
              stages: z.array(
                z.object({ stage: Stage, count: z.number(), probability: z.number(), totals: z.array(TotalOut), weighted: z.array(TotalOut) }),
              ),
              weighted: z.array(TotalOut),
            }),
          },
        },
      },
      async (request) => {
        const { ownerId, currency, after, asOf: askedAsOf } = request.query;
        await awaitPosition(services, request, [PIPELINE], after);
        const source = await pipelineAt(askedAsOf);
        const asOf = askedAsOf ?? clock.now();
        const policy = await requirePolicyInForce(eventStore, asOf);
        const totals = await stageTotals(source, await ownerFilter(services, request, ownerId));
        const { stages, weighted } = forecast(
          currency ? totals.filter((t) => t.currency === currency) : totals,
          policy.stageProbabilities,
        );
        return {
          policyRevision: policy.revision,
          asOf,
          stages: stages.map((s) => ({ ...s, totals: s.totals.map(totalOut), weighted: s.weighted.map(totalOut) })),
          weighted: weighted.map(totalOut),
        };
      },
    );
  };
