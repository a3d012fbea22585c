import type { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import type { ChannelRegistry } from '../kernel/channel-registry.js';
import type { InstanceRepository } from '../db/repositories/instance-repository.js';
import type { ConnectionManager } from './connection-manager.js';

export interface CreateInstanceInput {
  name: string;
  channel: string;
  channelConfig?: Record<string, unknown>;
  agent?: Record<string, unknown> | null;
  messaging?: Record<string, unknown> | null;
  media?: Record<string, unknown> | null;
  /** Connect right away (default true). */
  connect?: boolean;
}

/** Instance lifecycle: each instance's channelConfig is validated by its channel plugin's own schema. */
export class InstanceService {
  constructor(private readonly deps: { repository: InstanceRepository; channels: ChannelRegistry; connections: ConnectionManager }) {}

  async create(input: CreateInstanceInput) {
    const channelConfig = this.validateChannelConfig(input.channel, input.channelConfig ?? {});
    const instance = await this.deps.repository.create({
      name: input.name,
      channel: input.channel,
      channelConfig,
      agent: input.agent ?? null,
      messaging: input.messaging ?? null,
      media: input.media ?? null,
      desiredState: input.connect === false ? 'disconnected' : 'connected',
    });
    if (input.connect !== false) await this.deps.connections.connect(instance.id);
    return instance;
  }

  async delete(id: string): Promise<void> {
    await this.deps.connections.forget(id);
    const deleted = await this.deps.repository.delete(id);
    if (!deleted) throw new OmniError('NOT_FOUND', `instance '${id}' not found`);
  }

  validateChannelConfig(channelId: string, config: unknown): Record<string, unknown> {
    const channel = this.deps.channels.get(channelId);
    if (!channel) {
      throw new OmniError('VALIDATION_ERROR', `channel '${channelId}' is not available`, {
        details: [{ in: 'body', path: 'channel', message: `available channels: ${this.deps.channels.list().map((c) => c.descriptor.id).join(', ') || 'none'}` }],
      });
    }
    const parsed = (channel.descriptor.instanceConfig as z.ZodType).safeParse(config);
    if (!parsed.success) {
      throw new OmniError('VALIDATION_ERROR', `invalid channelConfig for channel '${channelId}'`, {
        details: parsed.error.issues.map((i) => ({ in: 'body', path: ['channelConfig', ...i.path].join('.'), message: i.message })),
      });
    }
    return parsed.data as Record<string, unknown>;
  }
}
