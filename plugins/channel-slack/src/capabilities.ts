import type { ChannelCapabilities } from '@omni/plugin-sdk';

/**
 * What the Slack channel does. Replies are thread replies (`thread_ts`); bots cannot show typing
 * or change their profile through the Web API, so neither is claimed.
 */
export const slackCapabilities: ChannelCapabilities = {
  content: {
    send: ['text', 'image', 'audio', 'video', 'document', 'reaction'],
    receive: ['text', 'image', 'audio', 'video', 'document', 'reaction'],
  },
  features: ['reply', 'threads', 'edit', 'delete', 'groups'],
  auth: ['token'],
  // chat.postMessage truncates text after 40,000 characters; files may be up to 1 GB.
  limits: { maxTextLength: 40_000, maxFileSize: 1024 * 1024 * 1024 },
  events: ['message.received', 'message.sent', 'message.failed'],
};
