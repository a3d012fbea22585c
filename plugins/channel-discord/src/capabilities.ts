import type { ChannelCapabilities } from '@omni/plugin-sdk';

/** What the Discord channel really does, checked against the adapter at load time. */
export const discordCapabilities: ChannelCapabilities = {
  content: {
    send: ['text', 'image', 'audio', 'video', 'document', 'reaction', 'poll'],
    receive: ['text', 'image', 'audio', 'video', 'document', 'reaction'],
  },
  features: ['reply', 'edit', 'delete', 'typing', 'groups', 'threads', 'profile'],
  auth: ['token'],
  // 10 MiB: the upload limit of a bot in a server without boosts.
  limits: { maxTextLength: 2000, maxFileSize: 10 * 1024 * 1024 },
  events: ['message.received', 'message.sent', 'message.failed'],
};
