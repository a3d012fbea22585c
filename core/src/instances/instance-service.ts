import type { z } from 'zod';
import { OmniError, type ConnectionState } from '@omni/plugin-sdk';
import type { ChannelRegistry } from '../kernel/channel-registry.js';
import type { Instance } from '../db/entities/instance.js';
import { encodeCursor } from '../db/keyset-cursor.js';
import type { InstanceRepository } from '../db/repositories/instance-repository.js';
import type { ConnectionManager } from './connection-manager.js';
import { AGENT_DEFAULTS, agentConfigSchema, keepMaskedSecrets, maskFields, mediaConfigSchema, messagingConfigSchema, messagingOf, mediaOf, agentOf } from './instance-config.js';

export interface InstanceInput {
  name: string;
  channel: string;
  channelConfig?: Record<string, unknown>;
  agent?: Record<string, unknown> | null;
  messaging?: Record<string, unknown> | null;
  media?: Record<string, unknown> | null;
  isActive?: boolean;
  /** Connect right away (default true). */
  connect?: boolean;
}

export type InstancePatchInput = Partial<Omit<InstanceInput, 'channel' | 'connect'>>;

const fieldError = (path: string, message: string) => ({ in: 'body', path, message });

function parseSection<T extends z.ZodType>(schema: T, value: unknown, path: string): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new OmniError('VALIDATION_ERROR', `invalid ${path}`, { details: parsed.error.issues.map((i) => fieldError([path, ...i.path].join('.'), i.message)) });
  }
  return parsed.data;
}

/** Instance lifecycle and views. Each channelConfig is validated by its channel plugin's own schema. */
export class InstanceService {
  constructor(private readonly deps: { repository: InstanceRepository; channels: ChannelRegistry; connections: ConnectionManager }) {}

  async create(input: InstanceInput): Promise<Instance> {
    const channelConfig = this.validateChannelConfig(input.channel, input.channelConfig ?? {});
    const instance = await this.deps.repository.create({
      name: input.name,
      channel: input.channel,
      channelConfig,
      agent: input.agent ? parseSection(agentConfigSchema, input.agent, 'agent') : null,
      messaging: parseSection(messagingConfigSchema, input.messaging, 'messaging'),
      media: parseSection(mediaConfigSchema, input.media, 'media'),
      isActive: input.isActive ?? true,
      desiredState: input.connect === false || input.isActive === false ? 'disconnected' : 'connected',
    });
    if (input.connect !== false && instance.isActive) await this.deps.connections.connect(instance.id);
    return instance;
  }

  /** Sections sent are validated whole; masked secrets sent back keep their stored value. Channel changes reconnect. */
  async update(id: string, patch: InstancePatchInput): Promise<Instance> {
    const current = await this.require(id);
    const changes: Parameters<InstanceRepository['update']>[1] = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.isActive !== undefined) changes.isActive = patch.isActive;
    if (patch.channelConfig !== undefined) {
      const secrets = this.deps.channels.get(current.channel)?.descriptor.secretFields ?? [];
      changes.channelConfig = this.validateChannelConfig(current.channel, keepMaskedSecrets(patch.channelConfig, current.channelConfig, secrets));
    }
    if (patch.agent !== undefined) {
      changes.agent = patch.agent === null ? null : parseSection(agentConfigSchema, keepMaskedSecrets(patch.agent, current.agent ?? {}, ['apiKey']), 'agent');
    }
    if (patch.messaging !== undefined) changes.messaging = parseSection(messagingConfigSchema, { ...messagingOf(current.messaging), ...patch.messaging }, 'messaging');
    if (patch.media !== undefined) changes.media = parseSection(mediaConfigSchema, { ...mediaOf(current.media), ...patch.media }, 'media');
    const updated = await this.deps.repository.update(id, changes);
    if (patch.isActive === false) await this.deps.connections.disconnect(id);
    else if (changes.channelConfig && this.deps.connections.status(id).state !== 'disconnected') await this.deps.connections.restart(id);
    return updated;
  }

  async delete(id: string): Promise<void> {
    await this.deps.connections.forget(id);
    const deleted = await this.deps.repository.delete(id);
    if (!deleted) throw new OmniError('NOT_FOUND', `instance '${id}' not found`);
  }

  async require(id: string): Promise<Instance> {
    const instance = await this.deps.repository.get(id);
    if (!instance) throw new OmniError('NOT_FOUND', `instance '${id}' not found`);
    return instance;
  }

  /**
   * Lists by channel and connection state. The state lives in memory, so a status filter walks
   * the stored order and filters; its pages end with the same keyset cursor as unfiltered ones,
   * so a page boundary holds even when that instance's state changed meanwhile.
   */
  async list(options: { channel?: string[]; ids?: readonly string[]; status?: ConnectionState[]; cursor?: string; limit: number }) {
    if (!options.status?.length) return this.deps.repository.list({ channel: options.channel, ids: options.ids, cursor: options.cursor, limit: options.limit });
    const wanted = new Set(options.status);
    const items: Instance[] = [];
    let cursor = options.cursor;
    for (;;) {
      const page = await this.deps.repository.list({ channel: options.channel, ids: options.ids, cursor, limit: Math.max(options.limit, 100) });
      for (const instance of page.items) {
        if (!wanted.has(this.deps.connections.status(instance.id).state)) continue;
        // One more match than the page holds: another page follows.
        if (items.length === options.limit) return { items, nextCursor: encodeCursor(items[items.length - 1]!) };
        items.push(instance);
      }
      if (page.nextCursor === null) return { items, nextCursor: null };
      cursor = page.nextCursor;
    }
  }

  /** The API view: secrets masked, settings with defaults, live connection state. */
  view(instance: Instance) {
    const secrets = this.deps.channels.get(instance.channel)?.descriptor.secretFields ?? [];
    const agent = agentOf(instance.agent);
    return {
      id: instance.id,
      name: instance.name,
      channel: instance.channel,
      channelConfig: maskFields(instance.channelConfig, secrets),
      // An inline agent shows its effective timeout and streaming; one naming a provider leaves unset ones to the provider.
      agent: agent ? maskFields(agent.providerId ? agent : { ...AGENT_DEFAULTS, ...agent }, ['apiKey']) : null,
      messaging: messagingOf(instance.messaging),
      media: mediaOf(instance.media),
      isActive: instance.isActive,
      status: this.deps.connections.status(instance.id).state,
      createdAt: instance.createdAt.toISOString(),
      updatedAt: instance.updatedAt.toISOString(),
    };
  }

  validateChannelConfig(channelId: string, config: unknown): Record<string, unknown> {
    const channel = this.deps.channels.get(channelId);
    if (!channel) {
      throw new OmniError('VALIDATION_ERROR', `channel '${channelId}' is not available`, {
        details: [fieldError('channel', `available channels: ${this.deps.channels.list().map((c) => c.descriptor.id).join(', ') || 'none'}`)],
      });
    }
    const parsed = (channel.descriptor.instanceConfig as z.ZodType).safeParse(config);
    if (!parsed.success) {
      throw new OmniError('VALIDATION_ERROR', `invalid channelConfig for channel '${channelId}'`, {
        details: parsed.error.issues.map((i) => fieldError(['channelConfig', ...i.path].join('.'), i.message)),
      });
    }
    return parsed.data as Record<string, unknown>;
  }
}
