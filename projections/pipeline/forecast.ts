import { STAGES, type Stage } from '../../domain/opportunity/opportunity.js';
import type { ExactSum } from '../../domain/shared/money.js';
import { basisPoints } from '../../domain/shared/percent.js';

/** A stage's open deals in one currency, their total exact. */
export type StageTotal = { stage: string; currency: string; count: number; totalMinor: bigint };

export type StageForecast = { stage: Stage; count: number; probability: number; totals: ExactSum[]; weighted: ExactSum[] };
export type Forecast = { stages: StageForecast[]; weighted: ExactSum[] };

/**
 * An amount times a percentage, rounded half-up (half away from zero) to whole minor units.
 * The percentage becomes whole basis points and the product a bigint, so no float ever touches
 * the money and a large total cannot lose precision.
 */
export const weighMinor = (minor: bigint, probability: number): bigint => {
  const product = minor * BigInt(basisPoints(probability));
  const magnitude = ((product < 0n ? -product : product) + 5_000n) / 10_000n;
  return product < 0n ? -magnitude : magnitude;
};

const byCurrency = (a: ExactSum, b: ExactSum) => a.currency.localeCompare(b.currency);

/**
 * The open pipeline weighed by the chance of winning each stage. Each stage's weighted total is
 * rounded once; the overall figure per currency sums those, so the parts add up to the whole.
 */
export const forecast = (totals: readonly StageTotal[], probabilities: Readonly<Record<Stage, number>>): Forecast => {
  const overall = new Map<string, bigint>();
  const stages = STAGES.map((stage) => {
    const probability = probabilities[stage];
    const rows = totals.filter((t) => t.stage === stage);
    const weighted = rows.map((r) => ({ minor: weighMinor(r.totalMinor, probability), currency: r.currency })).sort(byCurrency);
    for (const { minor, currency } of weighted) overall.set(currency, (overall.get(currency) ?? 0n) + minor);
    return {
      stage,
      count: rows.reduce((n, r) => n + r.count, 0),
      probability,
      totals: rows.map((r) => ({ minor: r.totalMinor, currency: r.currency })).sort(byCurrency),
      weighted,
    };
  });
  return { stages, weighted: [...overall].map(([currency, minor]) => ({ minor, currency })).sort(byCurrency) };
};
