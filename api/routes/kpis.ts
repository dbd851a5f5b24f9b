import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../application/roles.js';
import { ATTRIBUTION_MODELS } from '../../domain/analytics/attribution.js';
import { kpiCells, kpiTable } from '../../domain/analytics/kpiTable.js';
import { GROUP_BYS, METRIC_IDS } from '../../domain/analytics/metrics.js';
import { PERIOD_KINDS, periodOfKey } from '../../domain/shared/periods.js';
import { askKpi, catalogOut, factsFor, KpiFilterQuery, KpiQuery, MetricOut, metricOut, pointOut, PointOut, splitOut } from '../kpiQuestion.js';
import { HttpProblem } from '../problems.js';
import { TotalOut, totalOut } from '../schemas.js';
import type { ApiServices } from '../services.js';

const PeriodOut = z.object({ key: z.string(), start: z.string(), end: z.string() });

const SeriesOut = z.object({
  group: z.string().nullable().describe('The group, null for facts with no value for it (a deal no campaign touched)'),
  currency: z.string().optional(),
  stage: z.string().optional(),
  points: z.array(PointOut),
});

const KpiAnswer = z.object({
  metric: MetricOut,
  groupBy: z.string().nullable(),
  period: z.string().nullable(),
  model: z.string().nullable(),
  asOf: z.string().nullable(),
  position: z.number().int().nullable().describe('For asOf: the last position of the log counted'),
  periods: z.array(PeriodOut),
  series: z.array(SeriesOut),
});

/** The group a query names: "(none)" for the facts that have no value for it. */
const NONE = '(none)';

const ExplainItem = z.object({
  position: z.number().int(),
  streamId: z.string(),
  revision: z.number().int(),
  type: z.string(),
  occurredAt: z.string(),
  fact: z.string().describe('The fact the event is counted in (its kind and subject)'),
  group: z.string().nullable(),
  currency: z.string().optional(),
  stage: z.string().optional(),
  credit: TotalOut.optional().describe("Under an attribution model, the share of the fact's amount credited to the group"),
});

/** Where a listing stands: the position, fact and group of the last item handed out, in the listing's order. */
const ExplainCursor = z.tuple([z.number().int(), z.string(), z.string().nullable()]);
type ExplainKey = z.infer<typeof ExplainCursor>;

const compareKeys = (a: ExplainKey, b: ExplainKey) => a[0] - b[0] || a[1].localeCompare(b[1]) || String(a[2]).localeCompare(String(b[2]));

const encodeCursor = (key: ExplainKey) => Buffer.from(JSON.stringify(key)).toString('base64url');
const decodeCursor = (cursor: string) => {
  try {
    return ExplainCursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new HttpProblem(400, 'invalid-input', 'The request is not valid', 'cursor: not one this listing issued', { errors: [{ in: 'querystring', field: 'cursor', message: 'not one this listing issued' }] });
  }
};

export const kpiRoutes =
  (services: ApiServices): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/views/kpis/catalog',
      {
        config: { allow: PERMISSIONS.readKpis },
        schema: {
          tags: ['kpis'],
          summary: 'Every metric with its formula, the events it counts, the instant each is attributed to, its groups, periods and models',
          response: {
            200: z.object({ metrics: z.array(MetricOut), groupBys: z.array(z.string()), periods: z.array(z.string()), models: z.array(z.string()) }),
          },
        },
      },
      async () => ({ metrics: catalogOut(), groupBys: [...GROUP_BYS], periods: [...PERIOD_KINDS], models: [...ATTRIBUTION_MODELS] }),
    );

    app.get(
      '/views/kpis',
      {
        config: { allow: PERMISSIONS.readKpis },
        schema: {
          tags: ['kpis'],
          summary: 'A metric as a table of series: one per group (and currency or stage), a point per period',
          description: `metric: ${METRIC_IDS.join(', ')} (GET /views/kpis/catalog has each formula). Periods are days, ISO weeks, months or quarters of the company calendar (Asia/Shanghai); a from/to given as a day starts at Beijing midnight. Amounts are never added across currencies: money metrics have a series per currency. asOf answers as the view stood at that moment, replayed from the log. A sales rep sees their own figures, a sales manager their team's (ownerId outside that is 403). 400 for a group, period or model the metric does not take, to not after from, or more periods than the configured maximum.`,
          querystring: z.object(KpiQuery).strict(),
          response: { 200: KpiAnswer },
        },
      },
      async (request) => {
        const { period = null, from, to, ...params } = request.query;
        const asked = await askKpi(services, request, params, { period, from, to });
        const series = kpiTable(asked.question, await factsFor(asked));
        return {
          metric: metricOut(asked.metric),
          groupBy: asked.question.groupBy,
          period,
          model: asked.question.model,
          asOf: asked.asOf,
          position: asked.position,
          periods: asked.question.buckets.map(({ key, start, end }) => ({ key, start, end })),
          series: series.map(({ group, split, points }) => ({
            group,
            ...splitOut(asked.metric, split),
            points: points.map(({ bucket, measured }) => pointOut(bucket.key, measured)),
          })),
        };
      },
    );

    app.get(
      '/views/kpis/explain',
      {
        config: { allow: PERMISSIONS.readKpis },
        schema: {
          tags: ['kpis'],
          summary: 'The events a figure counts (stream, revision, position), a page at a time, so it can be checked by hand',
          description:
            'period is a period key: 2026-04-01, 2026-W14, 2026-04 or 2026-Q2. group names the group of groupBy ((none) for facts without a value); without groupBy, the figure over every group. Lists, for each fact in the cell, the events of the types the metric counts, in log order; figure is the cell as GET /views/kpis answers it.',
          querystring: z
            .object({
              metric: KpiQuery.metric,
              period: z.string().max(20),
              groupBy: KpiQuery.groupBy,
              group: z.string().max(200).optional(),
              model: KpiQuery.model,
              ...KpiFilterQuery,
              limit: z.coerce.number().int().min(1).max(200).default(50),
              cursor: z.string().max(500).optional(),
            })
            .strict(),
          response: {
            200: z.object({
              metric: MetricOut,
              period: PeriodOut,
              groupBy: z.string().nullable(),
              group: z.string().nullable(),
              model: z.string().nullable(),
              asOf: z.string().nullable(),
              figure: z.array(z.object({ group: z.string().nullable(), currency: z.string().optional(), stage: z.string().optional(), point: PointOut })),
              items: z.array(ExplainItem),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
      async (request) => {
        const { period: key, group: named, limit, cursor, ...params } = request.query;
        const bucket = periodOfKey(key);
        if (!bucket) {
          throw new HttpProblem(400, 'invalid-input', 'The request is not valid', `period: ${key} names no period; give a day (2026-04-01), a week (2026-W14), a month (2026-04) or a quarter (2026-Q2)`, {
            errors: [{ in: 'querystring', field: 'period', message: 'a period key: YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYY-Qn' }],
          });
        }
        if (named !== undefined && params.groupBy === undefined) {
          throw new HttpProblem(400, 'invalid-input', 'The request is not valid', 'group: name groupBy too, to say what the group is', { errors: [{ in: 'querystring', field: 'group', message: 'needs groupBy' }] });
        }
        const asked = await askKpi(services, request, params, { bucket: { key: bucket.key, start: bucket.start, end: bucket.end }, period: bucket.kind });
        const group = named === undefined || named === NONE ? null : named;
        const cells = kpiCells(asked.question, await factsFor(asked)).filter((cell) => named === undefined || cell.group === group);
        const counted = new Set(asked.metric.events);
        const after = cursor === undefined ? null : decodeCursor(cursor);
        const items = cells
          .flatMap((cell) =>
            cell.contributions.flatMap(({ fact, credit }) =>
              fact.evidence
                .filter((event) => counted.has(event.type))
                .map((event) => ({
                  ...event,
                  fact: fact.id,
                  group: cell.group,
                  ...splitOut(asked.metric, cell.split),
                  ...(credit !== undefined && cell.split !== null ? { credit: totalOut({ minor: credit, currency: cell.split }) } : {}),
                })),
            ),
          )
          .sort((a, b) => compareKeys([a.position, a.fact, a.group], [b.position, b.fact, b.group]))
          .filter((item) => after === null || compareKeys([item.position, item.fact, item.group], after) > 0);
        const page = items.slice(0, limit);
        const last = page.at(-1);
        return {
          metric: metricOut(asked.metric),
          period: { key: bucket.key, start: bucket.start, end: bucket.end },
          groupBy: asked.question.groupBy,
          group: named === undefined ? null : group,
          model: asked.question.model,
          asOf: asked.asOf,
          figure: cells.map((cell) => ({ group: cell.group, ...splitOut(asked.metric, cell.split), point: pointOut(bucket.key, cell.measured) })),
          items: page,
          nextCursor: items.length > limit && last ? encodeCursor([last.position, last.fact, last.group]) : null,
        };
      },
    );
  };
