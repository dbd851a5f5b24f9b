/**
 * The arithmetic every KPI shares, written once so every figure rounds the same way: rates and
 * percentages to two decimals, half away from zero; counts and amounts kept exact in integers until
 * the last step.
 */

const DAY_MS = 86_400_000;

/** Two decimals, half away from zero. */
export const twoDecimals = (value: number): number => Math.sign(value) * Math.round(Math.abs(value) * 100 + Number.EPSILON * 100) / 100;

/** numerator / denominator as a percentage with two decimals, computed in integers so large amounts stay exact; null over nothing. */
export const percentOf = (numerator: bigint, denominator: bigint): number | null => {
  if (denominator === 0n) return null;
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  // Basis points of a percent, rounded half up: (n * 10000 * 2 + d) / (2d).
  const hundredths = (n * 20_000n + d) / (2n * d);
  return (negative ? -1 : 1) * Number(hundredths) / 100;
};

/** numerator / denominator with two decimals; null over nothing. */
export const ratioOf = (numerator: bigint, denominator: bigint): number | null => {
  const percent = percentOf(numerator, denominator);
  return percent === null ? null : twoDecimals(percent / 100);
};

/** Days between two instants, fractional. */
export const daysBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / DAY_MS;

export const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length);

/**
 * The q-th quantile by linear interpolation between the closest ranks (as a spreadsheet's
 * PERCENTILE.INC): the median is q = 0.5, the average of the two middle values of an even count.
 */
export const quantile = (values: readonly number[], q: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * q;
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
};

export const median = (values: readonly number[]): number | null => quantile(values, 0.5);

/** An exact amount divided by a count, rounded half away from zero to the minor unit. */
export const averageMinor = (total: bigint, count: number): bigint | null => {
  if (count === 0) return null;
  const c = BigInt(count);
  const magnitude = ((total < 0n ? -total : total) * 2n + c) / (2n * c);
  return total < 0n ? -magnitude : magnitude;
};
