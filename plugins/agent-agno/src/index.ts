import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { createAgnoProvider } from './agno-provider.js';

/** Agno AgentOS agents, streamed token by token when the target asks for streaming. */
export default definePlugin({
  id: 'agent-agno',
  version: pkg.version,
  kind: 'agent-provider',
  description: 'Agent provider for Agno AgentOS: POST /agents/{agentId}/runs, streaming over Server-Sent Events',
  compat: { sdk: '^1.0.0' },
  provider: {
    type: 'agno',
    name: 'Agno',
    description: 'Runs an Agno AgentOS agent (agentId) at apiUrl; bearer auth with the OS security key',
  },
  capabilities: { streaming: true, listAgents: true, health: true },
  setup: () => ({ provider: createAgnoProvider() }),
});

export { createAgnoProvider } from './agno-provider.js';
export { SseParser, readSseEvents, type SseEvent } from './sse-parser.js';
