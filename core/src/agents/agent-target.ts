import { OmniError, type AgentTarget } from '@omni/plugin-sdk';
import { AGENT_DEFAULTS, type AgentConfig } from '../instances/instance-config.js';
import type { AgentProviderRepository } from './agent-provider-repository.js';

/** The provider type inline agent settings use unless they name another. */
export const DEFAULT_PROVIDER_TYPE = 'agent_api';

export interface ResolvedAgent {
  type: string;
  target: AgentTarget;
}

/** Where an instance's agent lives: its shared provider record, or its inline settings. */
export async function resolveAgent(agent: AgentConfig, providers: AgentProviderRepository): Promise<ResolvedAgent> {
  if (agent.providerId) {
    const record = await providers.get(agent.providerId);
    if (!record) throw new OmniError('NOT_FOUND', `agent provider '${agent.providerId}' not found`);
    return {
      type: record.type,
      target: {
        apiUrl: record.apiUrl,
        apiKey: agent.apiKey ?? record.apiKey ?? undefined,
        agentId: agent.agentId ?? record.defaultAgentId ?? undefined,
        // The instance's own settings win; unset, the provider's defaults apply.
        timeoutMs: agent.timeout ?? record.defaultTimeout,
        streaming: agent.streaming ?? record.defaultStreaming,
        metadata: record.metadata ?? undefined,
      },
    };
  }
  if (!agent.apiUrl) throw new OmniError('VALIDATION_ERROR', 'the instance has no agent: set agent.providerId or agent.apiUrl');
  return {
    type: agent.providerType ?? DEFAULT_PROVIDER_TYPE,
    target: { apiUrl: agent.apiUrl, apiKey: agent.apiKey, agentId: agent.agentId, timeoutMs: agent.timeout ?? AGENT_DEFAULTS.timeout, streaming: agent.streaming ?? AGENT_DEFAULTS.streaming },
  };
}
