import { definePlugin, lazyAdapter } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { discordCapabilities } from './capabilities.js';
import { discordInstanceConfig } from './instance-config.js';

/** The optional adapter methods the Discord implementation has (a test compares this with it). */
export const DISCORD_ADAPTER_METHODS = ['edit', 'delete', 'typing', 'updateProfile', 'fetchProfile', 'validateRecipient', 'sync', 'handleWebhook'] as const;

/** Discord bots through discord.js: gateway (or signed webhook) in, REST out. */
export default definePlugin({
  id: 'channel-discord',
  version: pkg.version,
  kind: 'channel',
  description: 'Discord bots via discord.js: DMs, guild channels and threads, attachments, reactions, edits, bot profile',
  compat: { sdk: '^1.0.0' },
  channel: {
    id: 'discord',
    name: 'Discord',
    description: 'A Discord bot: messages in over the gateway (or a signed webhook relay), replies out over the REST API',
    instanceConfig: discordInstanceConfig,
    secretFields: ['botToken'],
  },
  capabilities: discordCapabilities,
  // discord.js and its REST client (~36 MB) load when the first Discord instance connects.
  setup: () => ({
    adapter: lazyAdapter(
      () => import('./discord-adapter.js').then((m) => m.createDiscordAdapter()),
      DISCORD_ADAPTER_METHODS,
    ),
  }),
});

export { discordInstanceConfig, type DiscordInstanceConfig } from './instance-config.js';
export { discordCapabilities } from './capabilities.js';
