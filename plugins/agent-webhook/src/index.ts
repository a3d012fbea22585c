import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { createWebhookAgentProvider } from './agent-webhook-provider.js';

/** Any HTTP endpoint as an agent: the turn as JSON in, `{text}` out. */
export default definePlugin({
  id: 'agent-webhook',
  version: pkg.version,
  kind: 'agent-provider',
  description: 'Agent provider for generic JSON webhooks: POST the AgentRequest, receive {text, media?, actions?}',
  compat: { sdk: '^1.0.0' },
  provider: {
    type: 'webhook',
    name: 'Webhook agent',
    description: 'POSTs each turn (the AgentRequest as JSON, plus agentId) to apiUrl; expects {text, media?, actions?}',
  },
  capabilities: { streaming: false, listAgents: false, health: false },
  setup: () => ({ provider: createWebhookAgentProvider() }),
});

export { createWebhookAgentProvider, toWebhookBody, type WebhookAgentBody } from './agent-webhook-provider.js';
export { parseWebhookReply } from './webhook-reply.js';
