import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { slackCapabilities } from './capabilities.js';
import { SLACK_SECRET_FIELDS, slackInstanceConfig } from './instance-config.js';
import { createSlackAdapter } from './slack-adapter.js';

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
  setup: () => ({ adapter: createSlackAdapter() }),
});

export { slackInstanceConfig, type SlackInstanceConfig } from './instance-config.js';
export { slackCapabilities } from './capabilities.js';
export { verifySlackSignature } from './request-signature.js';
