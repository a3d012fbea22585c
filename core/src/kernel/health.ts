import type { Kernel } from './create-kernel.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/**
 * Unhealthy when the database is down (nothing can be stored); degraded when the event bus
 * is down or any plugin failed; healthy otherwise.
 */
export async function computeHealth(kernel: Kernel) {
  const [database, eventBus, instances] = await Promise.all([kernel.database.health(), kernel.events.health(), kernel.instanceRepository.listActive().catch(() => [])]);
  const plugins = kernel.plugins.list();
  const failed = plugins.filter((p) => p.status === 'failed');
  const status: HealthStatus = !database.ok ? 'unhealthy' : !eventBus.ok || failed.length > 0 ? 'degraded' : 'healthy';
  const byChannel: Record<string, number> = {};
  for (const i of instances as Array<{ channel: string }>) byChannel[i.channel] = (byChannel[i.channel] ?? 0) + 1;
  return {
    status,
    checks: {
      database: { status: database.ok ? ('ok' as const) : ('error' as const), latency: database.latencyMs, ...(database.error ? { error: database.error } : {}) },
      eventBus: { status: eventBus.ok ? ('ok' as const) : ('error' as const), backend: kernel.config.natsUrl ? ('nats' as const) : ('in-process' as const), ...(eventBus.detail ? { detail: eventBus.detail } : {}) },
      channels: Object.fromEntries(kernel.channels.list().map((c) => [c.descriptor.id, 'ok' as const])),
      plugins: Object.fromEntries(plugins.map((p) => [p.id, { status: p.status, ...(p.error ? { error: p.error.message } : {}) }])),
    },
    instances: {
      total: instances.length,
      connected: instances.filter((i) => kernel.connections.isConnected(i.id)).length,
      byChannel,
    },
  };
}
