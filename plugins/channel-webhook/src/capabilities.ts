import type { ChannelCapabilities } from '@omni/plugin-sdk';

/** Generic JSON carries anything; the receiving system decides what it renders. */
export const webhookCapabilities: ChannelCapabilities = {
  content: {
    send: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction', 'poll'],
    receive: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction'],
  },
  features: ['reply', 'deliveryReceipts'],
  auth: ['secret'],
  limits: { maxTextLength: 65_536, maxFileSize: 25 * 1024 * 1024 },
  events: ['message.received', 'message.sent', 'message.failed', 'message.delivered', 'message.read'],
};
