import { defineConfig } from 'vitest/config';

/** `npm test -w @omni/bench`: the bench's own unit tests (the root config should include bench/src/**\/*.test.ts too). */
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], pool: 'forks' },
});
