import { z } from 'zod';
import { SDK_API_VERSION } from '@omni/plugin-sdk';
import type { Kernel } from '../../kernel/create-kernel.js';
import { computeHealth } from '../../kernel/health.js';
import { OMNI_VERSION } from '../../version.js';
import { defineRoute } from '../route.js';

const checkStatus = z.enum(['ok', 'error']);

export const healthResponse = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  version: z.string(),
  uptime: z.number().describe('seconds since start'),
  timestamp: z.string(),
  checks: z.object({
    database: z.object({ status: checkStatus, latency: z.number(), error: z.string().optional() }),
    eventBus: z.object({ status: checkStatus, backend: z.enum(['nats', 'in-process']), detail: z.string().optional() }),
    channels: z.record(z.string(), z.literal('ok')),
    plugins: z.record(z.string(), z.object({ status: z.string(), error: z.string().optional() })),
  }),
  instances: z.object({ total: z.number(), connected: z.number(), byChannel: z.record(z.string(), z.number()) }),
});

export const infoResponse = z.object({
  version: z.string(),
  sdkApiVersion: z.string(),
  environment: z.string(),
  uptime: z.number(),
  database: z.enum(['sqlite', 'postgresql']),
  eventBus: z.enum(['nats', 'in-process']),
  instances: z.object({ total: z.number(), connected: z.number() }),
  plugins: z.object({ total: z.number(), running: z.number(), failed: z.number() }),
  channels: z.array(z.string()),
});

const uptime = (kernel: Kernel) => Math.round((Date.now() - kernel.startedAt.getTime()) / 1000);

export const systemRoutes = (kernel: Kernel) => [
  defineRoute({
    method: 'get',
    path: '/api/v2/health',
    summary: 'Health of the database, the event bus and every plugin',
    tags: ['system'],
    public: true,
    response: healthResponse,
    handler: async ({ ctx }) => {
      const health = await computeHealth(kernel);
      // Unhealthy answers 503 so load balancers take the node out; the body says why.
      if (health.status === 'unhealthy') ctx.status = 503;
      return { ...health, version: OMNI_VERSION, uptime: uptime(kernel), timestamp: new Date().toISOString() };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/info',
    summary: 'Version, backends and counts',
    tags: ['system'],
    response: infoResponse,
    handler: async () => {
      const instances = await kernel.instanceRepository.listActive();
      const plugins = kernel.plugins.list();
      return {
        version: OMNI_VERSION,
        sdkApiVersion: SDK_API_VERSION,
        environment: kernel.config.environment,
        uptime: uptime(kernel),
        database: kernel.database.dialect,
        eventBus: kernel.config.natsUrl ? ('nats' as const) : ('in-process' as const),
        instances: { total: instances.length, connected: instances.filter((i) => kernel.connections.isConnected(i.id)).length },
        plugins: { total: plugins.length, running: plugins.filter((p) => p.status === 'running').length, failed: plugins.filter((p) => p.status === 'failed').length },
        channels: kernel.channels.list().map((c) => c.descriptor.id),
      };
    },
  }),
];
