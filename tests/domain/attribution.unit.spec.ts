import { describe, expect, it } from 'vitest';
import { attribute, distinctTouches } from '../../domain/analytics/attribution.js';
import type { Touch } from '../../domain/analytics/facts.js';
import { averageMinor, median, percentOf, quantile, ratioOf, twoDecimals } from '../../domain/analytics/statistics.js';

const campaign = (id: string, day: string): Touch => ({ kind: 'campaign', id, at: `2026-03-${day}T02:00:00.000Z` });
const partner = (id: string, day: string): Touch => ({ kind: 'partner', id, at: `2026-03-${day}T02:00:00.000Z` });

/**
 * The worked example: a deal of 100,001 minor units that the webinar touched on 1 March, the trade
 * show on 5 March, the webinar again on 9 March and the e-mail campaign on 12 March; a partner
 * registered it on 7 March. The touches arrive in no order.
 */
const touches: Touch[] = [campaign('email', '12'), campaign('webinar', '09'), partner('reseller', '07'), campaign('webinar', '01'), campaign('show', '05')];

const credits = (model: 'first_touch' | 'last_touch' | 'linear', kind: Touch['kind'], amount: bigint, given = touches) =>
  attribute(model, given, kind, amount).map(({ id, minor }) => [id, minor]);

describe('attribution models, against a worked example', () => {
  it('first touch credits all of it to what opened the door: the webinar, on 1 March', () => {
    expect(credits('first_touch', 'campaign', 100_001n)).toEqual([['webinar', 100_001n]]);
  });

  it('last touch credits all of it to what touched it last: the e-mail campaign, on 12 March', () => {
    expect(credits('last_touch', 'campaign', 100_001n)).toEqual([['email', 100_001n]]);
  });

  it('last touch credits a campaign that touched it again last, not where it first did', () => {
    expect(credits('last_touch', 'campaign', 100_001n, [campaign('webinar', '01'), campaign('show', '05'), campaign('webinar', '09')])).toEqual([['webinar', 100_001n]]);
  });

  it('linear shares it equally among the campaigns, each once however often it touched, the left-over minor units to the earliest', () => {
    // 100,001 / 3 = 33,333 remainder 2: the webinar and the show get one more each.
    expect(credits('linear', 'campaign', 100_001n)).toEqual([
      ['webinar', 33_334n],
      ['show', 33_334n],
      ['email', 33_333n],
    ]);
  });

  it('shares a negative amount (a margin below cost) the same way, so the credits still add up to it', () => {
    const shares = credits('linear', 'campaign', -100n);
    expect(shares).toEqual([
      ['webinar', -34n],
      ['show', -33n],
      ['email', -33n],
    ]);
    expect(shares.reduce((sum, [, minor]) => sum + (minor as bigint), 0n)).toBe(-100n);
  });

  it('credits partners apart from campaigns', () => {
    expect(credits('first_touch', 'partner', 100_001n)).toEqual([['reseller', 100_001n]]);
    expect(credits('linear', 'partner', 100_001n)).toEqual([['reseller', 100_001n]]);
  });

  it('gives no credit to anyone when nothing of the kind touched the deal', () => {
    expect(credits('linear', 'partner', 100n, [campaign('webinar', '01')])).toEqual([]);
  });

  it('orders touches of the same instant as they were recorded', () => {
    expect(distinctTouches([campaign('b', '03'), campaign('a', '03'), campaign('c', '01')], 'campaign').map((t) => t.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('the arithmetic every KPI shares', () => {
  it.each([
    [1n, 3n, 33.33],
    [2n, 3n, 66.67],
    [1n, 8n, 12.5],
    [1n, 800n, 0.13],
    [-1n, 800n, -0.13],
    [0n, 5n, 0],
    [10n ** 18n, 3n * 10n ** 18n, 33.33],
    [5n, 0n, null],
  ])('%s of %s is %s percent, half away from zero', (numerator, denominator, percent) => {
    expect(percentOf(numerator, denominator)).toBe(percent);
  });

  it('answers a ratio with two decimals', () => {
    expect(ratioOf(100_000n, 30_000n)).toBe(3.33);
    expect(ratioOf(50_000n, 30_000n)).toBe(1.67);
    expect(ratioOf(1n, 0n)).toBeNull();
  });

  it('takes quantiles between the closest ranks, as a spreadsheet does', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(quantile([0, 10, 10, 20], 0.9)).toBeCloseTo(17, 10);
    expect(median([])).toBeNull();
  });

  it('averages an exact amount to the minor unit, half away from zero', () => {
    expect(averageMinor(5n, 2)).toBe(3n);
    expect(averageMinor(-5n, 2)).toBe(-3n);
    expect(averageMinor(7n, 3)).toBe(2n);
    expect(averageMinor(0n, 0)).toBeNull();
  });

  it('rounds to two decimals as written, not as the float happens to fall', () => {
    expect(twoDecimals(1.005)).toBe(1.01);
    expect(twoDecimals(-1.005)).toBe(-1.01);
    expect(twoDecimals(14.499)).toBe(14.5);
  });
});
