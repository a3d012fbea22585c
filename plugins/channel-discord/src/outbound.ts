import { Routes, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { MessageRef, OutboundMessage, SendResult } from '@omni/plugin-sdk';
import { outboundFile } from './attachments.js';
import { NotSendable, attempt } from './platform-error.js';

const USER_PREFIX = 'user:';

/** A reaction emoji as the URL segment Discord wants: unicode percent-encoded, custom as `name:id`. */
export const emojiSegment = (emoji: string) => encodeURIComponent(emoji);

/**
 * Sends messages through Discord's REST API. Recipients are channel ids (guild channel, thread or
 * DM channel) or `user:<userId>`, which opens (or reuses) the DM channel with that user first.
 */
export class DiscordOutbound {
  private readonly dmChannels = new Map<string, string>();

  constructor(private readonly rest: REST) {}

  /** The channel id for a recipient; threads win over their parent channel. */
  async channelFor(to: string, threadId?: string): Promise<string> {
    if (threadId) return threadId;
    if (!to.startsWith(USER_PREFIX)) return to;
    const userId = to.slice(USER_PREFIX.length);
    const known = this.dmChannels.get(userId);
    if (known) return known;
    const dm = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
    this.dmChannels.set(userId, dm.id);
    return dm.id;
  }

  send(message: OutboundMessage): Promise<SendResult> {
    return attempt(async () => {
      const channelId = await this.channelFor(message.to, message.threadId);
      const c = message.content;
      const reference = message.replyTo ? { message_reference: { message_id: message.replyTo, fail_if_not_exists: false } } : {};
      switch (c.type) {
        case 'text':
          return this.post(channelId, { content: c.text, ...reference });
        case 'image':
        case 'video':
        case 'document':
        case 'audio': {
          const file = await outboundFile(c.media, c.type);
          const caption = c.type === 'audio' ? undefined : c.caption;
          return this.post(channelId, { ...(caption ? { content: caption } : {}), ...reference, attachments: [{ id: 0, filename: file.name }] }, [
            { name: file.name, data: file.data, contentType: file.contentType },
          ]);
        }
        case 'reaction': {
          if (!c.emoji) throw new NotSendable('Discord removes reactions by emoji; send the emoji to remove through the API, not an empty one');
          await this.rest.put(Routes.channelMessageOwnReaction(channelId, c.messageId, emojiSegment(c.emoji)));
          return `${c.messageId}:reaction:${c.emoji}`;
        }
        case 'poll':
          return this.post(channelId, {
            ...reference,
            poll: { question: { text: c.question }, answers: c.options.map((text) => ({ poll_media: { text } })), allow_multiselect: c.multipleAnswers ?? false, duration: 24 },
          });
        default:
          throw new NotSendable(`Discord cannot send ${c.type} content`);
      }
    });
  }

  edit(ref: MessageRef, text: string): Promise<SendResult> {
    return attempt(async () => {
      const msg = (await this.rest.patch(Routes.channelMessage(await this.channelFor(ref.chatId), ref.messageId), { body: { content: text } })) as { id: string };
      return msg.id;
    });
  }

  delete(ref: MessageRef): Promise<SendResult> {
    return attempt(async () => {
      await this.rest.delete(Routes.channelMessage(await this.channelFor(ref.chatId), ref.messageId));
      return ref.messageId;
    });
  }

  async typing(chatId: string): Promise<void> {
    await this.rest.post(Routes.channelTyping(await this.channelFor(chatId)));
  }

  private async post(channelId: string, body: RESTPostAPIChannelMessageJSONBody, files?: Array<{ name: string; data: Buffer; contentType: string }>): Promise<string> {
    const msg = (await this.rest.post(Routes.channelMessages(channelId), { body, ...(files ? { files } : {}) })) as { id: string };
    return msg.id;
  }
}
