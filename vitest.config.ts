import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources in tests (see package.json "exports").
    conditions: ['@omni/source'],
  },
  ssr: { resolve: { conditions: ['@omni/source'] } },
  test: {
    include: ['core/src/**/*.test.ts', 'bench/src/**/*.test.ts', 'sdk/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: e2e tests spawn real servers, and a loaded 2-core machine can take 30 s to start one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
