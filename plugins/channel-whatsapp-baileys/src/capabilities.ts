import type { ChannelCapabilities } from '@omni/plugin-sdk';

/** What a WhatsApp Web (Baileys) account can do. */
export const baileysCapabilities: ChannelCapabilities = {
  content: {
    send: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction', 'poll'],
    receive: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction', 'poll'],
  },
  features: ['reply', 'edit', 'delete', 'typing', 'readReceipts', 'deliveryReceipts', 'groups', 'profile'],
  auth: ['qr', 'pairing-code'],
  limits: { maxTextLength: 65_536, maxFileSize: 100 * 1024 * 1024, maxCaptionLength: 1_024 },
  events: ['message.received', 'message.sent', 'message.failed', 'message.delivered', 'message.read', 'instance.status'],
};
