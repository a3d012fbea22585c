import { ChannelType, MessageType, type APIMessage, type APIUser } from 'discord.js';
import type { ChannelInstance, ChatType, InboundMessageInput, Sender } from '@omni/plugin-sdk';
import { mediaKind, storeAttachment } from './attachments.js';
import type { DiscordInstanceConfig } from './instance-config.js';
import { avatarUrl } from './profile.js';

/** What normalization needs to know about a channel: its type and, for threads, the parent. */
export interface ChannelInfo {
  type: number;
  parentId?: string | null;
}

export interface InboundContext {
  instance: ChannelInstance<DiscordInstanceConfig>;
  /** The bot's own user id, once known: its own messages are never ingested. */
  botUserId: string | undefined;
  channel(channelId: string): Promise<ChannelInfo | undefined>;
  ingestMode?: 'realtime' | 'history';
  /** Download attachments into the media store (default). History sync skips it unless `processMedia` is set. */
  downloadMedia?: boolean;
}

type GuildMessage = APIMessage & { guild_id?: string };

const THREAD_TYPES: number[] = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread];
const CHAT_MESSAGE_TYPES: number[] = [MessageType.Default, MessageType.Reply];

export function senderOf(user: APIUser): Sender {
  const avatar = avatarUrl(user);
  return {
    id: user.id,
    name: user.global_name ?? user.username,
    username: user.username,
    ...(avatar ? { avatarUrl: avatar } : {}),
    ...(user.bot ? { isBot: true } : {}),
  };
}

/** Where a message lives: DMs by channel, guild channels as groups, threads as their parent channel + threadId. */
async function placeOf(msg: { channel_id: string; guild_id?: string }, ctx: InboundContext): Promise<{ chatId: string; chatType: ChatType; threadId?: string }> {
  if (!msg.guild_id) return { chatId: msg.channel_id, chatType: 'dm' };
  const info = await ctx.channel(msg.channel_id);
  if (info && THREAD_TYPES.includes(info.type) && info.parentId) return { chatId: info.parentId, chatType: 'thread', threadId: msg.channel_id };
  return { chatId: msg.channel_id, chatType: 'group' };
}

function ignored(author: APIUser | undefined, ctx: InboundContext): boolean {
  if (!author) return true;
  if (author.id === ctx.botUserId) return true;
  return Boolean(author.bot) && !ctx.instance.config.acceptBotMessages;
}

/**
 * A Discord message as inbound messages: one for its text, or one per attachment (downloaded and
 * stored, the text as the first caption). The first carries the Discord message id as `externalId`;
 * further attachments use `<id>:<n>`.
 */
export async function normalizeMessage(msg: GuildMessage, ctx: InboundContext): Promise<InboundMessageInput[]> {
  if (ignored(msg.author, ctx) || !CHAT_MESSAGE_TYPES.includes(msg.type)) return [];
  const place = await placeOf(msg, ctx);
  const common = {
    ...place,
    sender: senderOf(msg.author),
    replyTo: msg.message_reference?.message_id,
    mentions: msg.mentions.length > 0 ? msg.mentions.map((m) => m.id) : undefined,
    timestamp: msg.timestamp,
    ingestMode: ctx.ingestMode ?? 'realtime',
    raw: msg,
  } satisfies Partial<InboundMessageInput>;
  if (msg.attachments.length === 0) {
    if (!msg.content) {
      // Stickers and embed-only messages are not carried; text missing from a plain message means no content intent.
      if (!msg.sticker_items?.length && msg.embeds.length === 0) {
        ctx.instance.logger.warn({ messageId: msg.id }, 'Discord sent a message without content; enable the Message Content intent for this bot');
      }
      return [];
    }
    return [{ ...common, externalId: msg.id, content: { type: 'text', text: msg.content } }];
  }
  const out: InboundMessageInput[] = [];
  for (const [i, att] of msg.attachments.entries()) {
    const media =
      ctx.downloadMedia === false
        ? { url: att.url, mimeType: att.content_type ?? 'application/octet-stream', filename: att.filename, size: att.size }
        : await storeAttachment(ctx.instance, att);
    const kind = mediaKind(att.content_type);
    const caption = i === 0 && msg.content ? msg.content : undefined;
    const content =
      kind === 'audio'
        ? { type: kind, media, ...((msg.flags ?? 0) & (1 << 13) ? { voiceNote: true } : {}) }
        : { type: kind, media, ...(caption ? { caption } : {}) };
    out.push({ ...common, externalId: i === 0 ? msg.id : `${msg.id}:${i}`, content });
  }
  // Audio has no caption: keep the text as its own message.
  if (msg.content && mediaKind(msg.attachments[0]?.content_type) === 'audio') out.push({ ...common, externalId: `${msg.id}:text`, content: { type: 'text', text: msg.content } });
  return out;
}

interface ReactionData {
  user_id: string;
  channel_id: string;
  message_id: string;
  guild_id?: string;
  emoji: { id: string | null; name: string | null };
  member?: { user?: APIUser };
}

/** Normalizes one gateway dispatch (MESSAGE_CREATE/UPDATE/DELETE, MESSAGE_REACTION_ADD/REMOVE); others give nothing. */
export async function normalizeDispatch(t: string, d: unknown, ctx: InboundContext): Promise<InboundMessageInput[]> {
  switch (t) {
    case 'MESSAGE_CREATE':
      return normalizeMessage(d as GuildMessage, ctx);
    case 'MESSAGE_UPDATE': {
      const msg = d as GuildMessage;
      // Updates without new content are embeds being resolved, not edits.
      if (!msg.edited_timestamp || !msg.content || ignored(msg.author, ctx)) return [];
      return [
        {
          ...(await placeOf(msg, ctx)),
          externalId: `${msg.id}:edit:${Date.parse(msg.edited_timestamp)}`,
          sender: senderOf(msg.author),
          content: { type: 'text', text: msg.content },
          change: { kind: 'edit', targetId: msg.id },
          timestamp: msg.edited_timestamp,
          raw: msg,
        },
      ];
    }
    case 'MESSAGE_DELETE': {
      const del = d as { id: string; channel_id: string; guild_id?: string };
      return [
        {
          ...(await placeOf(del, ctx)),
          externalId: `${del.id}:delete`,
          // Discord does not say who deleted a message.
          sender: { id: 'unknown' },
          content: { type: 'text', text: '(message deleted)' },
          change: { kind: 'delete', targetId: del.id },
          raw: del,
        },
      ];
    }
    case 'MESSAGE_REACTION_ADD':
    case 'MESSAGE_REACTION_REMOVE': {
      const r = d as ReactionData;
      if (r.user_id === ctx.botUserId) return [];
      const emoji = r.emoji.id ? `${r.emoji.name ?? ''}:${r.emoji.id}` : (r.emoji.name ?? '');
      const added = t === 'MESSAGE_REACTION_ADD';
      return [
        {
          ...(await placeOf(r, ctx)),
          externalId: `${r.message_id}:reaction:${r.user_id}:${emoji}:${added ? 'add' : 'remove'}`,
          sender: r.member?.user ? senderOf(r.member.user) : { id: r.user_id },
          content: { type: 'reaction', messageId: r.message_id, emoji: added ? emoji : '' },
          raw: r,
        },
      ];
    }
    default:
      return [];
  }
}
