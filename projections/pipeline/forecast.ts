import { STAGES, type Stage } from '../../domain/opportunity/opportunity.js';
import type { Money } from '../../domain/shared/money.js';
import { basisPoints } from '../../domain/shared/percent.js';

export type StageTotal = { stage: string; currency: string; count: number; totalMinor: number };

export type StageForecast = { stage: Stage; count: number; probability: number; totals: Money[]; weighted: Money[] };
export type Forecast = { stages: StageForecast[]; weighted: Money[] };

/**
 * An amount times a percentage, rounded half-up (half away from zero) to whole minor units.
 * The percentage becomes whole basis points and the product a bigint, so no float ever touches
 * the money and a large total cannot lose precision.
 */
export const weighMinor = (minor: number, probability: number): number => {
  const product = BigInt(minor) * BigInt(basisPoints(probability));
  const magnitude = ((product < 0n ? -product : product) + 5_000n) / 10_000n;
  return Number(product < 0n ? -magnitude : magnitude);
};

const byCurrency = (a: Money, b: Money) => a.currency.localeCompare(b.currency);

/**
 * The open pipeline weighed by the chance of winning each stage. Each stage's weighted total is
 * rounded once; the overall figure per currency sums those, so the parts add up to the whole.
 */
export const forecast = (totals: readonly StageTotal[], probabilities: Readonly<Record<Stage, number>>): Forecast => {
  const overall = new Map<string, number>();
  const stages = STAGES.map((stage) => {
    const probability = probabilities[stage];
    const rows = totals.filter((t) => t.stage === stage);
    const weighted = rows.map((r) => ({ minor: weighMinor(r.totalMinor, probability), currency: r.currency })).sort(byCurrency);
    for (const { minor, currency } of weighted) overall.set(currency, (overall.get(currency) ?? 0) + minor);
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
