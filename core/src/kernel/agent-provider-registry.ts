import type { AgentProvider, AgentProviderDescriptor, AgentProviderPluginDefinition, AgentProviderPluginRuntime } from '@omni/plugin-sdk';
import type { KindRegistrar } from './kind-registrar.js';
import { pluginError } from './plugin-errors.js';

export interface RegisteredAgentProvider {
  pluginId: string;
  pluginVersion: string;
  descriptor: AgentProviderDescriptor;
  capabilities: { streaming: boolean; listAgents: boolean; health: boolean };
  provider: AgentProvider;
}

/** Agent provider types of running agent-provider plugins. */
export class AgentProviderRegistry implements KindRegistrar {
  private readonly providers = new Map<string, RegisteredAgentProvider>();

  async register(definition: AgentProviderPluginDefinition, runtime: AgentProviderPluginRuntime) {
    if (typeof runtime?.provider?.call !== 'function') {
      return pluginError('PLUGIN_CAPABILITY_MISMATCH', `agent-provider plugin '${definition.id}' setup returned no provider with call()`);
    }
    const provider = runtime.provider;
    const capabilities = { streaming: typeof provider.stream === 'function', listAgents: typeof provider.listAgents === 'function', health: typeof provider.health === 'function' };
    const claimed = definition.capabilities;
    const lies = claimed ? (Object.keys(capabilities) as Array<keyof typeof capabilities>).filter((k) => claimed[k] && !capabilities[k]) : [];
    if (lies.length > 0) {
      return pluginError('PLUGIN_CAPABILITY_MISMATCH', `agent-provider plugin '${definition.id}' claims ${lies.join(', ')} but its provider does not implement it`, { missing: lies });
    }
    const taken = this.providers.get(definition.provider.type);
    if (taken) return pluginError('PLUGIN_DUPLICATE_PROVIDER_TYPE', `agent provider type '${definition.provider.type}' is already provided by plugin '${taken.pluginId}'`);
    this.providers.set(definition.provider.type, { pluginId: definition.id, pluginVersion: definition.version, descriptor: definition.provider, capabilities, provider });
    return undefined;
  }

  async unregister(pluginId: string) {
    for (const [type, p] of this.providers) if (p.pluginId === pluginId) this.providers.delete(type);
  }

  get(type: string): RegisteredAgentProvider | undefined {
    return this.providers.get(type);
  }

  list(): RegisteredAgentProvider[] {
    return [...this.providers.values()].sort((a, b) => a.descriptor.type.localeCompare(b.descriptor.type));
  }
}
