import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { webhookCapabilities } from './capabilities.js';
import { webhookInstanceConfig } from './instance-config.js';
import { createWebhookAdapter } from './webhook-adapter.js';

/** A generic HTTP channel: any system that can POST JSON and receive JSON becomes a channel. */
export default definePlugin({
  id: 'channel-webhook',
  version: pkg.version,
  kind: 'channel',
  description: 'Generic HTTP channel for custom integrations: inbound webhooks, signed outbound JSON',
  compat: { sdk: '^1.0.0' },
  channel: {
    id: 'webhook',
    name: 'Webhook',
    description: 'Any system that can POST JSON: messages in at /api/v2/webhooks/webhook/:instanceId, replies out to outboundUrl',
    instanceConfig: webhookInstanceConfig,
    secretFields: ['secret'],
  },
  capabilities: webhookCapabilities,
  setup: () => ({ adapter: createWebhookAdapter() }),
});

export { webhookInstanceConfig, type WebhookInstanceConfig } from './instance-config.js';
export { signOutbound } from './outbound-request.js';
