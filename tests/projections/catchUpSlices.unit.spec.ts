import { describe, expect, it } from 'vitest';
import { nextSliceSize } from '../../projections/projectionRunner.js';

describe('catch-up slices', () => {
  it('halve after a slice that took longer than 10 ms, down to 16 events', () => {
    expect(nextSliceSize(1000, 40, 1000)).toBe(500);
    expect(nextSliceSize(20, 11, 1000)).toBe(16);
    expect(nextSliceSize(16, 200, 1000)).toBe(16);
  });

  it('double after one that took under 2.5 ms, up to the batch size', () => {
    expect(nextSliceSize(64, 1, 1000)).toBe(128);
    expect(nextSliceSize(800, 2, 1000)).toBe(1000);
  });

  it('stay the same in between', () => {
    expect(nextSliceSize(256, 2.5, 1000)).toBe(256);
    expect(nextSliceSize(256, 10, 1000)).toBe(256);
  });
});
