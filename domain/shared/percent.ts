/** Percentages carry at most two decimals, so every one is a whole number of basis points. */
export const hasAtMostTwoDecimals = (pct: number) => Number.isFinite(pct) && Math.abs(pct * 100 - Math.round(pct * 100)) < 1e-6;

/**
 * A percentage as whole basis points (12.5 -> 1250); discount arithmetic runs on these
 * integers, never on the float. Rounding only absorbs binary error (0.29 * 100 = 28.999...),
 * since a percentage is checked for two decimals before it is accepted.
 */
export const basisPoints = (pct: number) => Math.round(pct * 100);
