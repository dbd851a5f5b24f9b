import { describe, expect, it } from 'vitest';
import { forecast, weighMinor } from '../../projections/pipeline/forecast.js';

const probabilities = { qualification: 10, discovery: 25, proposal: 50, negotiation: 75 };

describe('weighing an amount by a probability', () => {
  it('rounds half-up to whole minor units', () => {
    expect(weighMinor(5n, 10)).toBe(1n); // 0.5
    expect(weighMinor(4n, 10)).toBe(0n); // 0.4
    expect(weighMinor(15n, 50)).toBe(8n); // 7.5
    expect(weighMinor(14n, 50)).toBe(7n);
    expect(weighMinor(333n, 12.5)).toBe(42n); // 41.625
    expect(weighMinor(100n, 0.5)).toBe(1n); // 0.5
    expect(weighMinor(99n, 0.5)).toBe(0n); // 0.495
  });

  it('rounds a negative amount away from zero, as it would the positive one', () => {
    expect(weighMinor(-5n, 10)).toBe(-1n);
    expect(weighMinor(-4n, 10)).toBe(0n);
  });

  it('keeps exact at the edges: 0%, 100%, a percentage binary floats cannot hold, and the largest safe amount', () => {
    expect(weighMinor(12_345n, 0)).toBe(0n);
    expect(weighMinor(12_345n, 100)).toBe(12_345n);
    expect(weighMinor(10_000n, 0.29)).toBe(29n);
    expect(weighMinor(BigInt(Number.MAX_SAFE_INTEGER), 100)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(weighMinor(BigInt(Number.MAX_SAFE_INTEGER), 50)).toBe(4_503_599_627_370_496n); // ...495.5
  });

  it('keeps exact past what a JSON number holds', () => {
    expect(weighMinor(9_999_999_999_999_999n, 10)).toBe(1_000_000_000_000_000n); // 999,999,999,999,999.9
    expect(weighMinor(90_000_000_000_000_001n, 75)).toBe(67_500_000_000_000_001n); // ...000.75
  });
});

describe('the forecast', () => {
  it('weighs every stage in each currency, in stage order, and sums the rounded parts per currency', () => {
    const result = forecast(
      [
        { stage: 'negotiation', currency: 'CNY', count: 1, totalMinor: 4_000n },
        { stage: 'qualification', currency: 'USD', count: 2, totalMinor: 15n },
        { stage: 'qualification', currency: 'CNY', count: 1, totalMinor: 1_005n },
        { stage: 'proposal', currency: 'CNY', count: 3, totalMinor: 2_001n },
      ],
      probabilities,
    );
    expect(result.stages).toEqual([
      {
        stage: 'qualification',
        count: 3,
        probability: 10,
        totals: [
          { minor: 1_005n, currency: 'CNY' },
          { minor: 15n, currency: 'USD' },
        ],
        weighted: [
          { minor: 101n, currency: 'CNY' }, // 100.5
          { minor: 2n, currency: 'USD' }, // 1.5
        ],
      },
      { stage: 'discovery', count: 0, probability: 25, totals: [], weighted: [] },
      { stage: 'proposal', count: 3, probability: 50, totals: [{ minor: 2_001n, currency: 'CNY' }], weighted: [{ minor: 1_001n, currency: 'CNY' }] },
      { stage: 'negotiation', count: 1, probability: 75, totals: [{ minor: 4_000n, currency: 'CNY' }], weighted: [{ minor: 3_000n, currency: 'CNY' }] },
    ]);
    expect(result.weighted).toEqual([
      { minor: 4_102n, currency: 'CNY' },
      { minor: 2n, currency: 'USD' },
    ]);
  });

  it('sums the weighted stages exactly past what a JSON number holds', () => {
    const result = forecast(
      [
        { stage: 'qualification', currency: 'CNY', count: 10, totalMinor: 9_999_999_999_999_999n },
        { stage: 'negotiation', currency: 'CNY', count: 9, totalMinor: 9_000_000_000_000_001n },
      ],
      probabilities,
    );
    expect(result.stages.map((s) => s.weighted)).toEqual([
      [{ minor: 1_000_000_000_000_000n, currency: 'CNY' }],
      [],
      [],
      [{ minor: 6_750_000_000_000_001n, currency: 'CNY' }], // ...000.75
    ]);
    expect(result.weighted).toEqual([{ minor: 7_750_000_000_000_001n, currency: 'CNY' }]);
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
