import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ATTRIBUTION_MODELS, type AttributionModel } from '../domain/analytics/attribution.js';
import { describeCatalog, describeMetric } from '../domain/analytics/catalog.js';
import type { KpiQuestion } from '../domain/analytics/kpiTable.js';
import { GROUP_BYS, METRIC_IDS, METRICS, metricById, type Bucket, type GroupBy, type Measured, type MetricDefinition } from '../domain/analytics/metrics.js';
import { PERIOD_KINDS, periodOf, periodsWithin, type PeriodKind } from '../domain/shared/periods.js';
import { liveFacts, replayedFacts, type FactSource } from '../projections/kpis/kpiFacts.js';
import { KPIS } from '../projections/kpis/kpiProjection.js';
import { viewsAsOf } from './pointInTimeQuery.js';
import { HttpProblem } from './problems.js';
import { awaitPosition } from './readYourWrites.js';
import { AfterPosition, Instant, PeriodBound, ShortText, TotalOut, totalOut } from './schemas.js';
import { ownerFilter } from './sellerScope.js';
import type { ApiServices } from './services.js';

/** No figure is asked of a time before the company could have recorded one; it also keeps the calendar's arithmetic in its years. */
const EARLIEST = '1970-01-01T00:00:00.000Z';

/** What narrows the facts a figure counts, as every KPI route takes it. */
export const KpiFilterQuery = {
  ownerId: ShortText(200).optional(),
  team: ShortText(100).optional(),
  region: ShortText(100).optional(),
  industry: ShortText(100).optional(),
  sku: ShortText(64).optional(),
  asOf: Instant.optional().describe("Answer as the views stood at this moment, replayed from the log up to it; from the log's first event to now"),
  after: AfterPosition,
};

export const KpiQuery = {
  metric: z.enum(METRIC_IDS as [string, ...string[]]),
  groupBy: z.enum(GROUP_BYS).optional(),
  period: z.enum(PERIOD_KINDS).optional().describe('Without it, one figure over the whole range'),
  model: z.enum(ATTRIBUTION_MODELS).optional().describe('The attribution model: required by attributed_pipeline, attributed_bookings, campaign_roi and campaign_roi_margin'),
  from: PeriodBound,
  to: PeriodBound,
  ...KpiFilterQuery,
};

export type KpiParams = {
  metric: string;
  groupBy?: GroupBy | undefined;
  model?: AttributionModel | undefined;
  ownerId?: string | undefined;
  team?: string | undefined;
  region?: string | undefined;
  industry?: string | undefined;
  sku?: string | undefined;
  asOf?: string | undefined;
  after?: number | undefined;
};

export const MetricOut = z.object({
  id: z.string(),
  name: z.string(),
  nameZh: z.string(),
  unit: z.string(),
  formula: z.string(),
  counts: z.string(),
  events: z.array(z.string()),
  attributedTo: z.string(),
  groupBy: z.array(z.string()),
  periods: z.array(z.string()),
  split: z.enum(['currency', 'stage']).nullable(),
  models: z.array(z.string()),
});

export const metricOut = (metric: MetricDefinition): z.infer<typeof MetricOut> => describeMetric(metric);

export const catalogOut = describeCatalog;

export const PointOut = z.object({
  period: z.string(),
  value: z.number().nullable().describe('Percentages and days with two decimals; ratios with two decimals; null where there is nothing to count'),
  amount: TotalOut.nullable().optional().describe('For money metrics: the exact amount in minor units'),
  count: z.number().int(),
  numerator: z.string().optional(),
  denominator: z.string().optional(),
  note: z.string().optional(),
});

export const pointOut = (period: string, measured: Measured): z.infer<typeof PointOut> => ({
  period,
  value: measured.value,
  ...(measured.amount !== undefined ? { amount: measured.amount === null ? null : totalOut(measured.amount) } : {}),
  count: measured.count,
  ...(measured.numerator !== undefined ? { numerator: String(measured.numerator) } : {}),
  ...(measured.denominator !== undefined ? { denominator: String(measured.denominator) } : {}),
  ...(measured.note !== undefined ? { note: measured.note } : {}),
});

/** A series' split, named for what it is: the currency of its amounts, or the stage it is about. */
export const splitOut = (metric: MetricDefinition, split: string | null) =>
  split === null ? {} : metric.split === 'stage' ? { stage: split } : { currency: split };

const invalid = (field: string, message: string, extensions: Record<string, unknown> = {}) =>
  new HttpProblem(400, 'invalid-input', 'The request is not valid', `${field}: ${message}`, { errors: [{ in: 'querystring', field, message }], ...extensions });

export type AskedKpi = { question: KpiQuestion; source: FactSource; metric: MetricDefinition; asOf: string | null; position: number | null };

/**
 * A KPI question checked and bound to the caller: the metric's own limits (its groups, periods and
 * model), the range's bounds, the caller's sellers (a rep their own, a manager their team), and where
 * its facts come from: the live view, or the log replayed up to `asOf`. Every refusal is a 400 with
 * the values allowed.
 */
export const askKpi = async (
  services: ApiServices,
  request: FastifyRequest,
  params: KpiParams,
  range: { period: PeriodKind | null; from: string; to: string } | { bucket: Bucket; period: PeriodKind },
): Promise<AskedKpi> => {
  const metric = metricById(params.metric)!;
  const { groupBy, model, asOf } = params;
  if (groupBy !== undefined && !metric.groupBy.includes(groupBy)) {
    throw invalid('groupBy', `${metric.id} is grouped by ${metric.groupBy.join(', ')}`, { allowed: metric.groupBy });
  }
  if (metric.credited && model === undefined) throw invalid('model', `${metric.id} needs an attribution model: ${ATTRIBUTION_MODELS.join(', ')}`, { allowed: ATTRIBUTION_MODELS });
  if (!metric.credited && model !== undefined) throw invalid('model', `${metric.id} is not attributed; a model applies to ${METRICS.filter((m) => m.credited).map((m) => m.id).join(', ')}`);
  const periods = metric.periods;
  const period = range.period;
  if (periods && (period === null || !periods.includes(period))) throw invalid('period', `${metric.id} is measured per ${periods.join(' or ')}`, { allowed: periods });

  let buckets: readonly Bucket[];
  if ('bucket' in range) {
    buckets = [range.bucket];
  } else {
    const { from, to } = range;
    if (Date.parse(from) < Date.parse(EARLIEST)) throw invalid('from', `must be ${EARLIEST} or later`);
    if (Date.parse(to) <= Date.parse(from)) throw invalid('to', `must be after from (${from})`);
    if (period === null) {
      buckets = [{ key: 'total', start: from, end: to }];
    } else {
      // A metric judged over whole periods (a forecast taken as the period began) widens the range to them.
      const start = periods ? periodOf(period, from).start : from;
      const end = periods ? periodOf(period, new Date(Date.parse(to) - 1).toISOString()).end : to;
      const within = periodsWithin(period, start, end, services.kpiMaxBuckets);
      if (!within) throw invalid('period', `from ${from} to ${to} spans more than ${services.kpiMaxBuckets} ${period}s; narrow the range or ask per a longer period`, { maxBuckets: services.kpiMaxBuckets });
      buckets = within.map(({ key, start: s, end: e }, i) => ({ key, start: i === 0 ? start : s, end: i === within.length - 1 ? end : e }));
    }
  }

  await awaitPosition(services, request, [KPIS], params.after);
  const replayed = asOf === undefined ? null : await viewsAsOf(services, asOf, [KPIS]);
  const scope = await ownerFilter(services, request, params.ownerId);
  const owners = scope === undefined ? undefined : typeof scope === 'string' ? [scope] : scope.in.map(String);
  const { ownerId: _owner, team, region, industry, sku } = params;
  const filters = { ...(team !== undefined ? { team } : {}), ...(region !== undefined ? { region } : {}), ...(industry !== undefined ? { industry } : {}), ...(sku !== undefined ? { sku } : {}) };
  return {
    metric,
    asOf: replayed?.asOf ?? null,
    position: replayed?.position ?? null,
    source: replayed ? replayedFacts(replayed) : liveFacts(services.views),
    question: {
      metric,
      groupBy: groupBy ?? null,
      buckets,
      calendarPeriods: period !== null,
      model: model ?? null,
      filters,
      ...(owners !== undefined ? { owners } : {}),
      moment: replayed?.asOf ?? services.clock.now(),
    },
  };
};

/** The facts a question reads: of the metric's kinds, within its buckets. */
export const factsFor = ({ question, source, metric }: AskedKpi) => source.facts(metric.facts, question.buckets[0]!.start, question.buckets.at(-1)!.end);
