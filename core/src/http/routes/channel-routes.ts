import { z } from 'zod';
import { OmniError, channelCapabilitiesSchema } from '@omni/plugin-sdk';
import type { Kernel } from '../../kernel/create-kernel.js';
import type { RegisteredChannel } from '../../kernel/channel-registry.js';
import { defineRoute } from '../route.js';

export const channelInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.string(),
  pluginId: z.string(),
  capabilities: channelCapabilitiesSchema,
  /** JSON Schema of the instance's channelConfig, generated from the plugin's zod schema. */
  configSchema: z.record(z.string(), z.unknown()),
  secretFields: z.array(z.string()),
});

export const supportedChannelSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.string(),
  requiresQr: z.boolean(),
  supportsOAuth: z.boolean(),
  capabilities: channelCapabilitiesSchema,
});

function configJsonSchema(channel: RegisteredChannel): Record<string, unknown> {
  try {
    return z.toJSONSchema(channel.descriptor.instanceConfig as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const toChannelInfo = (c: RegisteredChannel): z.input<typeof channelInfoSchema> => ({
  id: c.descriptor.id,
  name: c.descriptor.name,
  description: c.descriptor.description,
  version: c.pluginVersion,
  pluginId: c.pluginId,
  capabilities: c.capabilities,
  configSchema: configJsonSchema(c),
  secretFields: [...(c.descriptor.secretFields ?? [])],
});

export const channelRoutes = (kernel: Kernel) => [
  defineRoute({
    method: 'get',
    path: '/api/v2/channels',
    summary: 'Channels provided by running plugins, with their capabilities',
    tags: ['channels'],
    response: z.object({ items: z.array(channelInfoSchema) }),
    handler: () => ({ items: kernel.channels.list().map(toChannelInfo) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/channels/:id',
    summary: 'One channel and its capabilities',
    tags: ['channels'],
    params: z.object({ id: z.string().min(1).max(64) }),
    response: channelInfoSchema,
    handler: ({ params }) => {
      const channel = kernel.channels.get(params.id);
      if (!channel) throw new OmniError('NOT_FOUND', `channel '${params.id}' is not available`);
      return toChannelInfo(channel);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/instances/supported-channels',
    summary: 'Channel types an instance can be created for',
    tags: ['instances'],
    response: z.object({ items: z.array(supportedChannelSchema), total: z.number() }),
    handler: () => {
      const items = kernel.channels.list().map((c) => ({
        id: c.descriptor.id,
        name: c.descriptor.name,
        description: c.descriptor.description,
        version: c.pluginVersion,
        requiresQr: c.capabilities.auth.includes('qr'),
        supportsOAuth: c.capabilities.auth.includes('oauth'),
        capabilities: c.capabilities,
      }));
      return { items, total: items.length };
    },
  }),
];
