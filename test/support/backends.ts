/**
 * The backends an e2e suite runs on: always embedded; PostgreSQL + NATS when DATABASE_URL and
 * NATS_URL are set, and always in CI (where a missing service then fails the suite).
 */
export const backends: Array<{ name: string; backend: 'embedded' | 'services' }> = [
  { name: 'embedded SQLite + in-process bus', backend: 'embedded' },
  ...((process.env.DATABASE_URL && process.env.NATS_URL) || process.env.CI ? [{ name: 'PostgreSQL + NATS JetStream', backend: 'services' as const }] : []),
];
