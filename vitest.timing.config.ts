import { defineConfig } from 'vitest/config';

/** Tests that measure time (the event loop's longest stall), run one file at a time after the rest of the suite. */
export default defineConfig({
  test: {
    include: ['tests/timing/**/*.timing.spec.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    reporters: ['verbose'],
  },
});
