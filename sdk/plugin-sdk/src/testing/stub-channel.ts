import { z } from 'zod';
import type { ChannelCapabilities, ContentType } from '../capabilities.js';
import type { ChannelAdapter, ChannelInstance } from '../channel.js';
import type { OutboundMessage } from '../messages.js';
import { definePlugin } from '../plugin.js';

export interface StubChannelOptions {
  /** The channel id; the plugin id is `stub-<id>`. */
  id: string;
  /** Content it sends (default text only); it receives the same. */
  send?: readonly ContentType[];
  capabilities?: Partial<ChannelCapabilities>;
  instanceConfig?: z.ZodType;
  secretFields?: readonly string[];
  /** Adapter methods to add or replace (connect defaults to reporting `connected`). */
  adapter?: Partial<ChannelAdapter>;
}

/**
 * A minimal in-memory channel plugin for tests that need "some channel": it connects at once,
 * accepts every send of its content types (recording it) and exposes each connected instance, so a
 * test can make a user write with `stub.instances.get(id)!.receive(...)`.
 */
export function stubChannel(options: StubChannelOptions) {
  const sent: Array<{ instanceId: string; message: OutboundMessage }> = [];
  const instances = new Map<string, ChannelInstance>();
  const send = [...(options.send ?? ['text'])];
  const plugin = definePlugin({
    id: `stub-${options.id}`,
    version: '1.0.0',
    kind: 'channel',
    compat: { sdk: '^1.0.0' },
    channel: { id: options.id, name: `Stub ${options.id}`, description: 'an in-memory test channel', instanceConfig: options.instanceConfig ?? z.object({}), secretFields: options.secretFields },
    capabilities: {
      content: { send, receive: send },
      features: [],
      auth: ['token'],
      limits: { maxTextLength: 1000, maxFileSize: 1_000_000 },
      events: ['message.received'],
      ...options.capabilities,
    },
    setup: () => ({
      adapter: {
        connect: async (instance: ChannelInstance) => {
          instances.set(instance.id, instance);
          instance.setStatus({ state: 'connected' });
        },
        disconnect: async (id: string) => void instances.delete(id),
        send: async (instanceId: string, message: OutboundMessage) => {
          sent.push({ instanceId, message });
          return { ok: true as const, externalId: `stub-${message.id}` };
        },
        ...options.adapter,
      } as ChannelAdapter,
    }),
  });
  return { plugin, sent, instances };
}
