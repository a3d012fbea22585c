import { OmniError, missingCapabilities, type CapabilityNeed, type ChannelAdapter } from '@omni/plugin-sdk';
import type { ChannelRegistry, RegisteredChannel } from '../kernel/channel-registry.js';
import type { InstanceStore, StoredInstance } from './instance-store.js';

export interface ResolvedChannel {
  instance: StoredInstance;
  channel: RegisteredChannel;
}

/** The instance and its running channel: 404 for an unknown instance, 503 when its plugin is not running. */
export async function resolveChannel(store: InstanceStore, channels: ChannelRegistry, instanceId: string): Promise<ResolvedChannel> {
  const instance = await store.get(instanceId);
  if (!instance) throw new OmniError('NOT_FOUND', `instance '${instanceId}' not found`);
  const channel = channels.get(instance.channel);
  if (!channel) throw new OmniError('SERVICE_UNAVAILABLE', `channel '${instance.channel}' is not running`);
  return { instance, channel };
}

/** 422 CAPABILITY_NOT_SUPPORTED unless the channel's capability object covers the need. */
export function requireCapabilities({ instance, channel }: ResolvedChannel, need: CapabilityNeed): void {
  const missing = missingCapabilities(channel.capabilities, need);
  if (missing.length > 0) {
    throw new OmniError('CAPABILITY_NOT_SUPPORTED', `channel '${instance.channel}' cannot do: ${missing.join(', ')}`, { details: { channel: instance.channel, missing } });
  }
}

/** The adapter's optional method, or 422 when the channel does not offer it. */
export function requireMethod<K extends keyof ChannelAdapter>({ instance, channel }: ResolvedChannel, method: K, what: string): NonNullable<ChannelAdapter[K]> {
  const fn = channel.adapter[method];
  if (typeof fn !== 'function') throw new OmniError('CAPABILITY_NOT_SUPPORTED', `channel '${instance.channel}' cannot ${what}`, { details: { channel: instance.channel, missing: [`method:${String(method)}`] } });
  return (fn as (...args: never[]) => unknown).bind(channel.adapter) as NonNullable<ChannelAdapter[K]>;
}
