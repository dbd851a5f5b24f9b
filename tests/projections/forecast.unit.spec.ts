import { describe, expect, it } from 'vitest';
import { forecast, weighMinor } from '../../projections/pipeline/forecast.js';

const probabilities = { qualification: 10, discovery: 25, proposal: 50, negotiation: 75 };

describe('weighing an amount by a probability', () => {
  it('rounds half-up to whole minor units', () => {
    expect(weighMinor(5, 10)).toBe(1); // 0.5
    expect(weighMinor(4, 10)).toBe(0); // 0.4
    expect(weighMinor(15, 50)).toBe(8); // 7.5
    expect(weighMinor(14, 50)).toBe(7);
    expect(weighMinor(333, 12.5)).toBe(42); // 41.625
    expect(weighMinor(100, 0.5)).toBe(1); // 0.5
    expect(weighMinor(99, 0.5)).toBe(0); // 0.495
  });

  it('rounds a negative amount away from zero, as it would the positive one', () => {
    expect(weighMinor(-5, 10)).toBe(-1);
    expect(weighMinor(-4, 10)).toBe(0);
  });

  it('keeps exact at the edges: 0%, 100%, a percentage binary floats cannot hold, and the largest safe amount', () => {
    expect(weighMinor(12_345, 0)).toBe(0);
    expect(weighMinor(12_345, 100)).toBe(12_345);
    expect(weighMinor(10_000, 0.29)).toBe(29);
    expect(weighMinor(Number.MAX_SAFE_INTEGER, 100)).toBe(Number.MAX_SAFE_INTEGER);
    expect(weighMinor(Number.MAX_SAFE_INTEGER, 50)).toBe(4_503_599_627_370_496); // ...495.5
  });
});

describe('the forecast', () => {
  it('weighs every stage in each currency, in stage order, and sums the rounded parts per currency', () => {
    const result = forecast(
      [
        { stage: 'negotiation', currency: 'CNY', count: 1, totalMinor: 4_000 },
        { stage: 'qualification', currency: 'USD', count: 2, totalMinor: 15 },
        { stage: 'qualification', currency: 'CNY', count: 1, totalMinor: 1_005 },
        { stage: 'proposal', currency: 'CNY', count: 3, totalMinor: 2_001 },
      ],
      probabilities,
    );
    expect(result.stages).toEqual([
      {
        stage: 'qualification',
        count: 3,
        probability: 10,
        totals: [
          { minor: 1_005, currency: 'CNY' },
          { minor: 15, currency: 'USD' },
        ],
        weighted: [
          { minor: 101, currency: 'CNY' }, // 100.5
          { minor: 2, currency: 'USD' }, // 1.5
        ],
      },
      { stage: 'discovery', count: 0, probability: 25, totals: [], weighted: [] },
      { stage: 'proposal', count: 3, probability: 50, totals: [{ minor: 2_001, currency: 'CNY' }], weighted: [{ minor: 1_001, currency: 'CNY' }] },
      { stage: 'negotiation', count: 1, probability: 75, totals: [{ minor: 4_000, currency: 'CNY' }], weighted: [{ minor: 3_000, currency: 'CNY' }] },
    ]);
    expect(result.weighted).toEqual([
      { minor: 4_102, currency: 'CNY' },
      { minor: 2, currency: 'USD' },
    ]);
  });

  it('is empty, stage by stage, for an empty pipeline', () => {
    const result = forecast([], probabilities);
    expect(result.stages.map((s) => [s.stage, s.count, s.totals, s.weighted])).toEqual([
      ['qualification', 0, [], []],
      ['discovery', 0, [], []],
      ['proposal', 0, [], []],
      ['negotiation', 0, [], []],
    ]);
    expect(result.weighted).toEqual([]);
  });
});
