import {
  FEATURE_METHODS,
  type ChannelAdapter,
  type ChannelCapabilities,
  type ChannelDescriptor,
  type ChannelFeature,
  type ChannelPluginDefinition,
  type ChannelPluginRuntime,
} from '@omni/plugin-sdk';
import type { KindRegistrar } from './kind-registrar.js';
import { pluginError } from './plugin-errors.js';

export interface RegisteredChannel {
  pluginId: string;
  pluginVersion: string;
  descriptor: Omit<ChannelDescriptor, 'capabilities'>;
  capabilities: ChannelCapabilities;
  adapter: ChannelAdapter;
}

export type ChannelListener = (event: 'added' | 'removed', channel: RegisteredChannel) => void | Promise<void>;

const REQUIRED_METHODS = ['connect', 'disconnect', 'send'] as const;

/** Adapter methods a capability object promises but the adapter lacks. */
export function adapterGaps(adapter: ChannelAdapter, capabilities: ChannelCapabilities): string[] {
  const has = (m: string) => typeof (adapter as unknown as Record<string, unknown>)[m] === 'function';
  const gaps: string[] = REQUIRED_METHODS.filter((m) => !has(m)).map((m) => `${m}()`);
  for (const feature of capabilities.features) {
    const method = (FEATURE_METHODS as Partial<Record<ChannelFeature, string>>)[feature];
    if (method && !has(method)) gaps.push(`${method}() for feature '${feature}'`);
  }
  return gaps;
}

/** The channels of running channel plugins: the single source for /channels and capability checks. */
export class ChannelRegistry implements KindRegistrar {
  private readonly channels = new Map<string, RegisteredChannel>();
  private readonly listeners = new Set<ChannelListener>();

  /** Checks the adapter against the capability object, then registers the channel. */
  async register(def: ChannelPluginDefinition, runtime: ChannelPluginRuntime) {
    if (!runtime?.adapter) return pluginError('PLUGIN_CAPABILITY_MISMATCH', `channel plugin '${def.id}' setup returned no adapter`);
    const gaps = adapterGaps(runtime.adapter, def.capabilities);
    if (gaps.length > 0) {
      return pluginError('PLUGIN_CAPABILITY_MISMATCH', `channel plugin '${def.id}' declares capabilities its adapter does not implement: ${gaps.join(', ')}`, { missing: gaps });
    }
    const taken = this.get(def.channel.id);
    if (taken) return pluginError('PLUGIN_DUPLICATE_CHANNEL', `channel '${def.channel.id}' is already provided by plugin '${taken.pluginId}'`);
    await this.add({ pluginId: def.id, pluginVersion: def.version, descriptor: def.channel, capabilities: def.capabilities, adapter: runtime.adapter });
    return undefined;
  }

  async unregister(pluginId: string): Promise<void> {
    await this.removeByPlugin(pluginId);
  }

  async add(channel: RegisteredChannel): Promise<void> {
    this.channels.set(channel.descriptor.id, channel);
    for (const l of this.listeners) await l('added', channel);
  }

  /** Listeners run before the channel leaves the registry, so they can still use its adapter. */
  async removeByPlugin(pluginId: string): Promise<RegisteredChannel[]> {
    const removed = [...this.channels.values()].filter((c) => c.pluginId === pluginId);
    for (const c of removed) {
      for (const l of this.listeners) await l('removed', c);
      this.channels.delete(c.descriptor.id);
    }
    return removed;
  }

  get(channelId: string): RegisteredChannel | undefined {
    return this.channels.get(channelId);
  }

  list(): RegisteredChannel[] {
    return [...this.channels.values()].sort((a, b) => a.descriptor.id.localeCompare(b.descriptor.id));
  }

  onChange(listener: ChannelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
