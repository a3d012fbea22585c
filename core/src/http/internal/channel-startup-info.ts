import { z } from 'zod';
import type { Kernel } from '../../kernel/create-kernel.js';

export const channelStartupInfoSchema = z.object({
  channels: z.array(
    z.object({
      name: z.string().describe('Channel id'),
      needed: z.boolean().describe('Its plugin runs and at least one active instance wants to be connected'),
      reason: z.string(),
      instances: z.array(z.string()).describe('Ids of the instances to connect at start'),
    }),
  ),
  startup: z.object({
    delayBetweenChannelsMs: z.number().int(),
    maxConcurrentConnections: z.number().int(),
    healthCheckTimeoutMs: z.number().int(),
  }),
});

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Which channels have work at start: every channel of a running plugin and every channel an
 * active instance uses, with the instances that should connect (a deliberately disconnected one
 * stays off). Pacing comes from the `startup.*` settings.
 */
export async function channelStartupInfo(kernel: Kernel): Promise<z.input<typeof channelStartupInfoSchema>> {
  const [instances, delay, concurrent, timeout] = await Promise.all([
    kernel.instanceRepository.listActive(),
    kernel.settings.get('startup.delay_between_channels_ms'),
    kernel.settings.get('startup.max_concurrent_connections'),
    kernel.settings.get('startup.health_check_timeout_ms'),
  ]);
  const running = new Set(kernel.channels.list().map((c) => c.descriptor.id));
  const names = [...new Set([...running, ...instances.map((i) => i.channel)])].sort();
  return {
    channels: names.map((name) => {
      const active = instances.filter((i) => i.channel === name);
      const wanted = active.filter((i) => i.desiredState === 'connected').map((i) => i.id);
      const needed = running.has(name) && wanted.length > 0;
      const reason = !running.has(name)
        ? `${plural(active.length, 'active instance')}, but no running plugin provides this channel`
        : wanted.length > 0
          ? `${plural(wanted.length, 'active instance')} to connect`
          : active.length > 0
            ? `${plural(active.length, 'active instance')}, all deliberately disconnected`
            : 'no active instances';
      return { name, needed, reason, instances: needed ? wanted : [] };
    }),
    startup: { delayBetweenChannelsMs: delay, maxConcurrentConnections: concurrent, healthCheckTimeoutMs: timeout },
  };
}
