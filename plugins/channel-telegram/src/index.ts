import { definePlugin } from '@omni/plugin-sdk';
import pkg from '../package.json' with { type: 'json' };
import { telegramCapabilities } from './capabilities.js';
import { telegramInstanceConfig } from './instance-config.js';
import { createTelegramAdapter } from './telegram-adapter.js';

/** Telegram bots through the Bot API (grammY): long polling by default, or webhooks. */
export default definePlugin({
  id: 'channel-telegram',
  version: pkg.version,
  kind: 'channel',
  description: 'Telegram bots via grammY: long polling or webhook, media, replies, reactions, edits, groups and topics',
  compat: { sdk: '^1.0.0' },
  channel: {
    id: 'telegram',
    name: 'Telegram',
    description: 'A Telegram bot (token from @BotFather): long polling by default, or webhooks at /api/v2/webhooks/telegram/:instanceId',
    instanceConfig: telegramInstanceConfig,
    secretFields: ['botToken', 'webhookSecret'],
  },
  capabilities: telegramCapabilities,
  setup: () => ({ adapter: createTelegramAdapter() }),
});

export { telegramInstanceConfig, type TelegramInstanceConfig } from './instance-config.js';
export { telegramCapabilities } from './capabilities.js';
