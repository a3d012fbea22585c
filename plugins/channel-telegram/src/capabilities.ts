import type { ChannelCapabilities } from '@omni/plugin-sdk';

/** What a Telegram bot can do through the Bot API, and only that. */
export const telegramCapabilities: ChannelCapabilities = {
  content: {
    send: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction'],
    receive: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction'],
  },
  features: ['reply', 'edit', 'delete', 'typing', 'groups', 'threads', 'profile'],
  auth: ['token'],
  // Bot API limits: 4096 characters of text, 1024 of caption, 50 MB uploads (downloads: 20 MB).
  limits: { maxTextLength: 4096, maxFileSize: 50 * 1024 * 1024, maxCaptionLength: 1024 },
  events: ['message.received', 'message.sent', 'message.failed'],
};
