import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.spec.ts', 'tests/**/*.spec.tsx'],
    // Timing tests run after, alone (vitest.timing.config.ts): another test file on the same cores would stretch what they measure.
    exclude: ['tests/timing/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
  },
});
