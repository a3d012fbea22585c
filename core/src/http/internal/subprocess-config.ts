import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Kernel } from '../../kernel/create-kernel.js';
import { resolveStorage } from '../../db/storage.js';
import { redactCredentials } from '../../events/create-event-bus.js';

export const subprocessConfigSchema = z.object({
  database: z.object({
    provider: z.enum(['sqlite', 'postgresql']),
    connectionUri: z.string().describe('Without user and password: a subprocess takes credentials from its own environment'),
  }),
  eventBus: z.object({
    backend: z.enum(['nats', 'in-process']),
    url: z.string().nullable().describe('NATS URL without user and password; null for the in-process bus'),
    namespace: z.string(),
    tls: z.boolean(),
  }),
  logging: z.object({ level: z.string(), format: z.literal('json') }),
  paths: z.object({ dataDir: z.string(), mediaDir: z.string() }),
  features: z.object({
    mediaProcessing: z.boolean().describe('A media-processor plugin is running'),
    agentRouting: z.boolean().describe('An agent-provider plugin is running'),
    accessControl: z.boolean(),
  }),
});

/** What a helper process needs to join this hub (seed 001). Never includes a secret. */
export function subprocessConfig(kernel: Kernel): z.input<typeof subprocessConfigSchema> {
  const { config } = kernel;
  const storage = resolveStorage(config.databaseUrl, config.dataDir);
  const running = kernel.plugins.list().filter((p) => p.status === 'running');
  return {
    database: {
      provider: storage.dialect,
      connectionUri: storage.dialect === 'postgresql' ? redactCredentials(storage.url) : `sqlite:${storage.path}`,
    },
    eventBus: {
      backend: config.natsUrl ? 'nats' : 'in-process',
      url: config.natsUrl ? redactCredentials(config.natsUrl) : null,
      namespace: config.natsNamespace,
      tls: config.natsUrl?.startsWith('tls://') ?? false,
    },
    logging: { level: config.logLevel, format: 'json' },
    paths: { dataDir: resolve(config.dataDir), mediaDir: join(resolve(config.dataDir), 'media') },
    features: {
      mediaProcessing: running.some((p) => p.kind === 'media-processor'),
      agentRouting: running.some((p) => p.kind === 'agent-provider'),
      accessControl: true,
    },
  };
}
