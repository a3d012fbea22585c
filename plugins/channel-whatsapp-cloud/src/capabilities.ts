import type { ChannelCapabilities } from '@omni/plugin-sdk';

/** Largest file the Cloud API takes (documents; images 5 MB, audio and video 16 MB). */
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export const whatsAppCloudCapabilities: ChannelCapabilities = {
  content: {
    send: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction'],
    receive: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contact', 'reaction'],
  },
  features: ['reply', 'readReceipts', 'deliveryReceipts'],
  auth: ['token'],
  limits: { maxTextLength: 4096, maxFileSize: MAX_MEDIA_BYTES, maxCaptionLength: 1024 },
  events: ['message.received', 'message.sent', 'message.delivered', 'message.read', 'message.failed'],
  messagingWindow: { hours: 24, outsideWindow: 'template-only' },
};
