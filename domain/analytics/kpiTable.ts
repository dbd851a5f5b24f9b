import { attribute, type AttributionModel } from './attribution.js';
import type { KpiFact } from './facts.js';
import type { Bucket, CellContext, Contribution, GroupBy, Measured, MetricDefinition } from './metrics.js';

/**
 * A KPI question answered from facts: the facts fall into periods by the instant each is
 * attributed to, into groups by their dimensions (a fact with several skus, campaigns or partners
 * counts under each; under an attribution model, each campaign or partner gets its credited share),
 * and each cell's figure is the metric's formula over the facts in it.
 */

export type KpiFilters = { readonly team?: string; readonly region?: string; readonly industry?: string; readonly sku?: string };

export type KpiQuestion = {
  readonly metric: MetricDefinition;
  readonly groupBy: GroupBy | null;
  readonly buckets: readonly Bucket[];
  /** Whether buckets are periods of the calendar, which a metric measured per period (forecast accuracy) reads. */
  readonly calendarPeriods: boolean;
  readonly model: AttributionModel | null;
  readonly filters: KpiFilters;
  /** The sellers whose facts count: those the asker named, or may see; undefined for every seller's. */
  readonly owners?: readonly string[];
  /** The moment the question is asked as of: now, or the asOf of a point-in-time question. */
  readonly moment: string;
};

export type Cell = { readonly bucket: Bucket; readonly group: string | null; readonly split: string | null; readonly measured: Measured; readonly contributions: readonly Contribution[] };

export type Series = { readonly group: string | null; readonly split: string | null; readonly points: readonly { readonly bucket: Bucket; readonly measured: Measured }[] };

/** The value a fact is split by: its currency, or the stage it left. */
const splitOf = (metric: MetricDefinition, fact: KpiFact): string | null => {
  if (metric.split === 'stage') return fact.kind === 'stage_exit' ? fact.stage : null;
  if (metric.split !== 'currency') return null;
  if ('amount' in fact) return fact.amount.currency;
  if ('currency' in fact) return fact.currency;
  return null;
};

const orNone = (values: readonly string[]): (string | null)[] => (values.length === 0 ? [null] : [...values]);

/** The groups a fact counts in, with no model: one per value of the dimension. */
const groupsOf = (fact: KpiFact, groupBy: GroupBy | null): (string | null)[] => {
  switch (groupBy) {
    case null:
      return [null];
    case 'owner':
      return [fact.ownerId];
    case 'team':
      return [fact.team];
    case 'region':
      return [fact.region];
    case 'industry':
      return [fact.industry];
    case 'source':
      return [fact.source];
    case 'sku':
      return orNone(fact.skus);
    case 'campaign':
      return orNone(fact.campaigns);
    case 'partner':
      return orNone(fact.partners);
  }
};

/** How a fact counts: in which groups, and under an attribution model with which credit. */
const contributionsOf = (question: KpiQuestion, fact: KpiFact): { group: string | null; contribution: Contribution }[] => {
  const { metric, groupBy, model } = question;
  const credited = metric.credited;
  if (credited && model && 'touches' in fact && (groupBy === 'campaign' || groupBy === 'partner')) {
    const amount = credited(fact);
    if (amount === null) return [];
    const credits = attribute(model, fact.touches, groupBy, amount);
    if (credits.length === 0) return [{ group: null, contribution: { fact, credit: amount } }];
    return credits.map(({ id, minor }) => ({ group: id, contribution: { fact, credit: minor } }));
  }
  return groupsOf(fact, groupBy).map((group) => ({ group, contribution: { fact } }));
};

const passes = (question: KpiQuestion, fact: KpiFact): boolean => {
  const { filters, owners, metric } = question;
  if (metric.include && !metric.include(fact, question.groupBy)) return false;
  if (owners && (fact.ownerId === null || !owners.includes(fact.ownerId))) return false;
  if (filters.team !== undefined && fact.team !== filters.team) return false;
  if (filters.region !== undefined && fact.region !== filters.region) return false;
  if (filters.industry !== undefined && fact.industry !== filters.industry) return false;
  if (filters.sku !== undefined && !fact.skus.includes(filters.sku)) return false;
  return true;
};

/** The bucket an instant falls in, by binary search over the buckets' bounds read once; buckets are contiguous and in order. */
const bucketFinder = (buckets: readonly Bucket[]) => {
  const starts = buckets.map((bucket) => Date.parse(bucket.start));
  const ends = buckets.map((bucket) => Date.parse(bucket.end));
  return (at: string): Bucket | undefined => {
    const instant = Date.parse(at);
    let low = 0;
    let high = buckets.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (instant < starts[mid]!) high = mid - 1;
      else if (instant >= ends[mid]!) low = mid + 1;
      else return buckets[mid];
    }
    return undefined;
  };
};

const compareNullsLast = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** One key per group and split, null told apart from any name. */
const seriesKey = (group: string | null, split: string | null) => `${group === null ? '\u0000' : `=${group}`}\u0001${split === null ? '\u0000' : `=${split}`}`;

/** Every cell of the answer: for each group and split that any fact falls in, one per bucket, empty ones included. */
export const kpiCells = (question: KpiQuestion, facts: readonly KpiFact[]): Cell[] => {
  const { metric, buckets, calendarPeriods, moment } = question;
  const byCell = new Map<string, { group: string | null; split: string | null; perBucket: Map<string, Contribution[]> }>();
  const bucketOf = bucketFinder(buckets);
  for (const fact of facts) {
    if (!metric.facts.includes(fact.kind) || !passes(question, fact)) continue;
    const bucket = bucketOf(fact.at);
    if (!bucket) continue;
    const split = splitOf(metric, fact);
    for (const { group, contribution } of contributionsOf(question, fact)) {
      const key = seriesKey(group, split);
      let series = byCell.get(key);
      if (!series) byCell.set(key, (series = { group, split, perBucket: new Map() }));
      let cell = series.perBucket.get(bucket.key);
      if (!cell) series.perBucket.set(bucket.key, (cell = []));
      cell.push(contribution);
    }
  }
  const ordered = [...byCell.values()].sort((a, b) => compareNullsLast(a.group, b.group) || compareNullsLast(a.split, b.split));
  return ordered.flatMap(({ group, split, perBucket }) =>
    buckets.map((bucket) => {
      const contributions = perBucket.get(bucket.key) ?? [];
      const context: CellContext = {
        period: calendarPeriods ? bucket : null,
        currency: metric.split === 'currency' ? split : null,
        groupBy: question.groupBy,
        moment,
      };
      return { bucket, group, split, measured: metric.measure(contributions, context), contributions };
    }),
  );
};

/** The answer as series: one per group and split, a point per bucket. */
export const kpiTable = (question: KpiQuestion, facts: readonly KpiFact[]): Series[] => {
  const series = new Map<string, { group: string | null; split: string | null; points: { bucket: Bucket; measured: Measured }[] }>();
  for (const { bucket, group, split, measured } of kpiCells(question, facts)) {
    const key = seriesKey(group, split);
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { group, split, points: [] }));
    entry.points.push({ bucket, measured });
  }
  return [...series.values()];
};
