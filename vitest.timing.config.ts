import { defineConfig } from 'vitest/config';

/** Tests that measure time (the event loop's longest stall), run one file at a time after the rest of the suite. */
export default defineConfig({
  test: {
    include: ['tests/timing/**/*.timing.spec.ts'],
    pool: 'forks',
    fileParallelism: false,
    // A shared machine can deschedule the process for longer than the bound once; a stall of our
    // own making comes back on the second run, so only one that does fails the suite.
    retry: 1,
    testTimeout: 180_000,
    reporters: ['verbose'],
  },
});
