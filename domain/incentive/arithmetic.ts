import { rateFraction } from '../fx/fxRate.js';
import { addDays } from '../shared/calendar.js';
import { basisPoints } from '../shared/percent.js';
import type { Spiff, Tier, TierMode } from './plan.js';

/**
 * The arithmetic of incentive statements, as pure functions on integer minor units. Every
 * figure is exact (bigint) until a line is written down, and each line is rounded once, half
 * away from zero; a statement's total is the sum of its rounded lines, so the lines always add
 * up to it.
 */

const BASIS = 10_000n;

/** numerator / denominator rounded half away from zero; the denominator is positive. */
export const roundHalfUp = (numerator: bigint, denominator: bigint): bigint => {
  const magnitude = ((numerator < 0n ? -numerator : numerator) * 2n + denominator) / (2n * denominator);
  return numerator < 0n ? -magnitude : magnitude;
};

/** An amount times a percentage (5 is 5%), rounded once. */
export const percentOf = (minor: bigint, pct: number): bigint => roundHalfUp(minor * BigInt(basisPoints(pct)), BASIS);

/** Attainment in basis points (8325 is 83.25%), rounded once; null without a target. */
export const attainmentBps = (achieved: bigint, target: bigint | null): number | null =>
  target === null || target <= 0n ? null : Number(roundHalfUp(achieved * BASIS, target));

/**
 * The tier an attainment reaches: a tier holds attainment above its fromPct up to and including
 * its toPct, the first from 0% itself. Exactly 50% is in a 0-50% tier, exactly 100% in 50-100%.
 * Compared exactly: achieved / target against pct / 100, cross-multiplied.
 */
export const tierReached = (tiers: readonly Tier[], achieved: bigint, target: bigint): Tier => {
  const scaled = achieved * BASIS;
  return tiers.find((tier) => tier.toPct === undefined || scaled <= BigInt(basisPoints(tier.toPct)) * target) ?? tiers.at(-1)!;
};

export type TierInput = {
  readonly tiers: readonly Tier[];
  readonly mode: TierMode;
  /** The rep's target in the plan's currency; null when there is none (every credit then earns the first tier's rate). */
  readonly target: bigint | null;
  /** What was credited before this line in the period, and on this line, in the plan's currency; never negative. */
  readonly before: bigint;
  readonly measure: bigint;
  /** All that the period credits, this line included: a retroactive rate is the one its total reaches. */
  readonly periodTotal: bigint;
};

/**
 * A credit line's commission, rounded once. Marginal: the slice of attainment the line covers
 * is cut at the tier bounds and each piece earns its own tier's rate. Retroactive: the whole
 * line earns the rate of the tier the period's total reaches. Bounds are kept exact by working
 * in units of a ten-thousandth of a minor unit.
 */
export const tierCommission = ({ tiers, mode, target, before, measure, periodTotal }: TierInput): bigint => {
  if (measure <= 0n) return 0n;
  if (target === null || target <= 0n) return roundHalfUp(measure * BigInt(basisPoints(tiers[0]!.ratePct)), BASIS);
  if (mode === 'retroactive') return roundHalfUp(measure * BigInt(basisPoints(tierReached(tiers, periodTotal, target).ratePct)), BASIS);
  const low = before * BASIS;
  const high = (before + measure) * BASIS;
  let numerator = 0n;
  for (const tier of tiers) {
    const bandLow = BigInt(basisPoints(tier.fromPct)) * target;
    const bandHigh = tier.toPct === undefined ? high : BigInt(basisPoints(tier.toPct)) * target;
    const overlap = (high < bandHigh ? high : bandHigh) - (low > bandLow ? low : bandLow);
    if (overlap > 0n) numerator += overlap * BigInt(basisPoints(tier.ratePct));
  }
  return roundHalfUp(numerator, BASIS * BASIS);
};

/** Whether a deal's discount off list (list total less what it sold for) is more than abovePct of list. */
export const discountAbove = (listTotal: bigint, netTotal: bigint, abovePct: number): boolean =>
  listTotal > 0n && (listTotal - netTotal) * BASIS > BigInt(basisPoints(abovePct)) * listTotal;

/** The SPIFF a deal earns: its units of the SPIFF's product, if it was ordered on a day inside the window (both ends included). */
export const spiffUnits = (spiff: Spiff, orderedOn: string, lines: readonly { sku: string; qty: number }[]): number =>
  orderedOn < spiff.from || orderedOn > spiff.to ? 0 : lines.filter((line) => line.sku === spiff.sku).reduce((units, line) => units + line.qty, 0);

/** Whether a cancellation or refund on `day` falls within `days` days after the deal was credited on `creditedOn`. */
export const withinClawbackWindow = (creditedOn: string, day: string, days: number): boolean => day <= addDays(creditedOn, days);

/** A share of an amount: amount x part / whole, rounded once (a refund's share of what a deal earned). */
export const shareOf = (amount: bigint, part: bigint, whole: bigint): bigint => (whole <= 0n ? 0n : roundHalfUp(amount * part, whole));

/** The number of minor units in a major unit of a currency, as ISO 4217 has it: 2 for CNY, 0 for JPY. */
export const currencyExponent = (currency: string): number =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** An amount converted at a rate (units of `to` per unit of `from`), rounded once to `to`'s minor unit. */
export const convertMinor = (minor: bigint, fromCurrency: string, toCurrency: string, rate: string): bigint => {
  const { numerator, denominator } = rateFraction(rate);
  const shift = currencyExponent(toCurrency) - currencyExponent(fromCurrency);
  return shift >= 0 ? roundHalfUp(minor * numerator * 10n ** BigInt(shift), denominator) : roundHalfUp(minor * numerator, denominator * 10n ** BigInt(-shift));
};
