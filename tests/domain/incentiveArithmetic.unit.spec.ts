import { describe, expect, it } from 'vitest';
import {
  attainmentBps,
  convertMinor,
  discountAbove,
  percentOf,
  roundHalfUp,
  spiffUnits,
  tierCommission,
  tierReached,
  withinClawbackWindow,
} from '../../domain/incentive/arithmetic.js';
import type { Tier } from '../../domain/incentive/plan.js';

const TIERS: Tier[] = [
  { fromPct: 0, toPct: 50, ratePct: 2 },
  { fromPct: 50, toPct: 100, ratePct: 5 },
  { fromPct: 100, ratePct: 8 },
];
const TARGET = 1_000_000n;

describe('incentive arithmetic', () => {
  it.each([
    [7n, 2n, 4n],
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [49n, 100n, 0n],
    [50n, 100n, 1n],
    [-50n, 100n, -1n],
  ])('rounds %i / %i half away from zero to %i', (numerator, denominator, rounded) => expect(roundHalfUp(numerator, denominator)).toBe(rounded));

  it.each([
    ['at 0%', 0n, 2],
    ['at exactly 50%, in the 0-50% tier', 500_000n, 2],
    ['just above 50%', 500_001n, 5],
    ['at exactly 100%, in the 50-100% tier', 1_000_000n, 5],
    ['just above 100%', 1_000_001n, 8],
    ['far above', 5_000_000n, 8],
  ])('reaches the tier %s', (_name, achieved, rate) => expect(tierReached(TIERS, achieved, TARGET).ratePct).toBe(rate));

  it.each([
    ['retroactive at exactly 50%: all at 2%', 'retroactive', 500_000n, 10_000n],
    ['retroactive at exactly 100%: all at 5%', 'retroactive', 1_000_000n, 50_000n],
    ['retroactive at 120%: all at 8%', 'retroactive', 1_200_000n, 96_000n],
    ['marginal at exactly 50%: all at 2%', 'marginal', 500_000n, 10_000n],
    ['marginal at exactly 100%: half at 2%, half at 5%', 'marginal', 1_000_000n, 35_000n],
    ['marginal at 120%: 2%, 5%, then 8% on the last 20%', 'marginal', 1_200_000n, 51_000n],
  ] as const)('pays %s', (_name, mode, measure, commission) =>
    expect(tierCommission({ tiers: TIERS, mode, target: TARGET, before: 0n, measure, periodTotal: measure })).toBe(commission));

  it('pays a marginal line the rates of the slice of attainment it covers', () => {
    // 400,000 already credited; this line takes attainment from 40% to 70%: 100,000 at 2% and 200,000 at 5%.
    expect(tierCommission({ tiers: TIERS, mode: 'marginal', target: TARGET, before: 400_000n, measure: 300_000n, periodTotal: 700_000n })).toBe(12_000n);
  });

  it('pays a retroactive line the rate the period reaches, whatever came before it', () =>
    expect(tierCommission({ tiers: TIERS, mode: 'retroactive', target: TARGET, before: 0n, measure: 100_000n, periodTotal: 1_100_000n })).toBe(8_000n));

  it('pays the first tier without a target, and nothing on nothing', () => {
    expect(tierCommission({ tiers: TIERS, mode: 'marginal', target: null, before: 0n, measure: 2_000_000n, periodTotal: 2_000_000n })).toBe(40_000n);
    expect(tierCommission({ tiers: TIERS, mode: 'marginal', target: TARGET, before: 0n, measure: 0n, periodTotal: 0n })).toBe(0n);
  });

  it('rounds a line once, half up, however its slice is cut', () =>
    // 333 minor units at 2% is 6.66: one line, one rounding, 7.
    expect(tierCommission({ tiers: TIERS, mode: 'marginal', target: TARGET, before: 0n, measure: 333n, periodTotal: 333n })).toBe(7n));

  it('takes a percentage of an amount and measures attainment in basis points', () => {
    expect(percentOf(41_500n, 50)).toBe(20_750n);
    expect(percentOf(3n, 50)).toBe(2n);
    expect(attainmentBps(2_350_000n, 2_000_000n)).toBe(11_750);
    expect(attainmentBps(1n, 3n)).toBe(3_333);
    expect(attainmentBps(1n, null)).toBeNull();
  });

  it.each([
    ['at exactly the threshold, not above it', 100_000n, 85_000n, false],
    ['a unit of currency past it', 100_000n, 84_999n, true],
    ['well within it', 100_000n, 95_000n, false],
  ])('judges a discount of 15%%: %s', (_name, list, net, above) => expect(discountAbove(list, net, 15)).toBe(above));

  it.each([
    ['on the first day of the window', '2026-11-01', 4],
    ['on its last day', '2026-11-30', 4],
    ['the day before it', '2026-10-31', 0],
    ['the day after it', '2026-12-01', 0],
  ])('pays a SPIFF %s', (_name, orderedOn, units) =>
    expect(spiffUnits({ sku: 'SOC', amountPerUnit: { minor: 10_000, currency: 'CNY' }, from: '2026-11-01', to: '2026-11-30' }, orderedOn, [{ sku: 'SOC', qty: 3 }, { sku: 'FW', qty: 2 }, { sku: 'SOC', qty: 1 }])).toBe(units));

  it.each([
    ['the same day', '2026-11-10', true],
    ['one day inside the window', '2026-12-10', true],
    ['one day outside it', '2026-12-11', false],
    ['across the year', '2027-01-01', false],
  ])('claws back a deal credited on 2026-11-10 and cancelled %s (30 days)', (_name, day, within) => expect(withinClawbackWindow('2026-11-10', day, 30)).toBe(within));

  it('converts at a decimal rate into the minor units of the other currency, rounding once', () => {
    expect(convertMinor(10_000n, 'USD', 'CNY', '7.1234')).toBe(71_234n);
    expect(convertMinor(1n, 'USD', 'CNY', '7.125')).toBe(7n);
    expect(convertMinor(1_000n, 'JPY', 'CNY', '0.0482')).toBe(4_820n);
    expect(convertMinor(10_000n, 'CNY', 'JPY', '20.5')).toBe(2_050n);
  });
});
