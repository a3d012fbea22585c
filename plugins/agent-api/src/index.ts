import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { createAgentApiProvider } from './agent-api-provider.js';

/** Agents speaking the v1 contract: `POST {apiUrl}/api/agent/chat` with the turn, `{text}` back. */
export default definePlugin({
  id: 'agent-api',
  version: pkg.version,
  kind: 'agent-provider',
  description: 'Agent provider for the v1 agent contract (POST {apiUrl}/api/agent/chat)',
  compat: { sdk: '^1.0.0' },
  provider: {
    type: 'agent_api',
    name: 'Agent API',
    description: 'Any HTTP agent implementing POST /api/agent/chat: snake_case turn in, {text, media?, actions?} out',
  },
  capabilities: { streaming: false, listAgents: true, health: true },
  setup: () => ({ provider: createAgentApiProvider() }),
});

export { createAgentApiProvider } from './agent-api-provider.js';
export { toChatBody, type ChatBody } from './chat-request.js';
export { parseChatReply } from './chat-reply.js';
