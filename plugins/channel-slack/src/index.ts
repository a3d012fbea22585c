import { definePlugin, lazyAdapter } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { slackCapabilities } from './capabilities.js';
import { SLACK_SECRET_FIELDS, slackInstanceConfig } from './instance-config.js';

/** The optional adapter methods the Slack implementation has (a test compares this with it). */
export const SLACK_ADAPTER_METHODS = ['edit', 'delete', 'fetchProfile', 'validateRecipient', 'handleWebhook'] as const;

/** Slack apps: Web API out; Events API (signed webhooks) or Socket Mode in. */
export default definePlugin({
  id: 'channel-slack',
  version: pkg.version,
  kind: 'channel',
  description: 'Slack apps through the Web API, with Events API or Socket Mode ingress',
  compat: { sdk: '^1.0.0' },
  channel: {
    id: 'slack',
    name: 'Slack',
    description: 'A Slack app (bot token): events at /api/v2/webhooks/slack/:instanceId or over Socket Mode; replies with the Web API',
    instanceConfig: slackInstanceConfig,
    secretFields: SLACK_SECRET_FIELDS,
  },
  capabilities: slackCapabilities,
  // @slack/web-api and @slack/socket-mode (~13 MB with their HTTP and WebSocket clients) load when the first Slack instance connects.
  setup: () => ({
    adapter: lazyAdapter(
      () => import('./slack-adapter.js').then((m) => m.createSlackAdapter()),
      SLACK_ADAPTER_METHODS,
    ),
  }),
});

export { slackInstanceConfig, type SlackInstanceConfig } from './instance-config.js';
export { slackCapabilities } from './capabilities.js';
export { verifySlackSignature } from './request-signature.js';
