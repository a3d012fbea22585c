import type { ChatType, InboundMessageInput, Media, MessageContent, Sender } from '@omni/plugin-sdk';
import { emojiOf } from './emoji-names.js';
import { fileContent, type SlackFile } from './inbound-files.js';
import { messageKey } from './message-key.js';

/** The parts of a Slack message event Omni reads. */
export interface SlackMessage {
  type?: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: SlackFile[];
  message?: SlackMessage;
  previous_message?: SlackMessage;
  deleted_ts?: string;
  hidden?: boolean;
}

export interface SlackReactionEvent {
  type: 'reaction_added' | 'reaction_removed';
  user?: string;
  reaction?: string;
  item?: { type?: string; channel?: string; ts?: string };
  event_ts?: string;
}

export type SlackInnerEvent = (SlackMessage & { type: string }) | SlackReactionEvent;

export interface NormalizeContext {
  /** The bot's own user and bot ids, whose messages are never fed back. */
  self: { userId: string; botId?: string };
  sender(userId: string): Promise<Sender>;
  download(file: SlackFile): Promise<Media>;
}

/** Subtypes that are a person (or another bot) saying something; the rest are channel housekeeping. */
const MESSAGE_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'bot_message', 'me_message']);

/** Decodes the three entities Slack escapes in message text. */
export const decodeText = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** User ids mentioned as `<@U123>` or `<@U123|name>`. */
export function mentionsOf(text: string): string[] {
  return [...new Set([...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1]!))];
}

/** dm for `im`, group for `mpim` and private channels, channel otherwise; guessed from the id prefix when the event does not say. */
export function chatTypeOf(channel: string, channelType?: string): ChatType {
  const type = channelType ?? (channel.startsWith('D') ? 'im' : channel.startsWith('G') ? 'group' : 'channel');
  if (type === 'im') return 'dm';
  if (type === 'mpim' || type === 'group' || type === 'private') return 'group';
  return 'channel';
}

const dateOf = (ts: string | undefined) => (ts ? new Date(Math.round(Number(ts) * 1000)) : undefined);
const isSelf = (m: SlackMessage, self: NormalizeContext['self']) => m.user === self.userId || (self.botId !== undefined && m.bot_id === self.botId);

/**
 * Normalizes one Events API event into inbound messages (none for events Omni does not carry:
 * joins, topic changes, the bot's own messages). A message with several files becomes one
 * message per file; each gets its own stable id, so Slack's redeliveries stay duplicates.
 */
export async function normalizeEvent(event: SlackInnerEvent, ctx: NormalizeContext): Promise<InboundMessageInput[]> {
  if (event.type === 'reaction_added' || event.type === 'reaction_removed') return normalizeReaction(event as SlackReactionEvent, ctx);
  if (event.type !== 'message') return [];
  const m = event as SlackMessage;
  if (m.subtype === 'message_changed') return normalizeEdit(m, ctx);
  if (m.subtype === 'message_deleted') return normalizeDelete(m, ctx);
  if (!MESSAGE_SUBTYPES.has(m.subtype) || !m.channel || !m.ts || isSelf(m, ctx.self)) return [];
  return normalizeMessage({ ...m, channel: m.channel, ts: m.ts }, ctx);
}

async function base(m: SlackMessage & { channel: string; ts: string }, ctx: NormalizeContext) {
  const senderId = m.user ?? m.bot_id ?? 'unknown';
  const sender = m.user ? await ctx.sender(m.user) : { id: senderId, ...(m.username ? { name: m.username } : {}), isBot: true };
  const inThread = m.thread_ts !== undefined && m.thread_ts !== m.ts;
  return {
    chatId: m.channel,
    chatType: chatTypeOf(m.channel, m.channel_type),
    sender,
    ...(inThread ? { threadId: m.thread_ts, replyTo: messageKey(m.channel, m.thread_ts!) } : {}),
    timestamp: dateOf(m.ts),
  };
}

async function normalizeMessage(m: SlackMessage & { channel: string; ts: string }, ctx: NormalizeContext): Promise<InboundMessageInput[]> {
  const text = decodeText(m.text ?? '');
  const common = { ...(await base(m, ctx)), ...(mentionsOf(text).length ? { mentions: mentionsOf(text) } : {}), raw: m };
  const key = messageKey(m.channel, m.ts);
  const contents: MessageContent[] = [];
  for (const [i, file] of (m.files ?? []).entries()) {
    if (file.mode === 'tombstone' || file.mode === 'hidden_by_limit') continue;
    const content = fileContent(await ctx.download(file), i === 0 ? text || undefined : undefined);
    contents.push(content);
  }
  const captioned = contents[0] !== undefined && 'caption' in contents[0] && contents[0].caption !== undefined;
  if (text && !captioned) contents.unshift({ type: 'text', text });
  return contents.map((content, i) => ({ ...common, externalId: i === 0 ? key : `${key}/${i}`, content }));
}

async function normalizeEdit(m: SlackMessage, ctx: NormalizeContext): Promise<InboundMessageInput[]> {
  const current = m.message;
  if (!m.channel || !current?.ts || isSelf(current, ctx.self)) return [];
  const text = decodeText(current.text ?? '');
  // Unfurls and thread bookkeeping also arrive as message_changed; only a new text is an edit.
  if (!text || text === decodeText(m.previous_message?.text ?? '')) return [];
  const target = messageKey(m.channel, current.ts);
  return [
    {
      ...(await base({ ...current, channel: m.channel, ts: current.ts, channel_type: m.channel_type }, ctx)),
      externalId: `${target}:edit:${m.ts ?? Date.now()}`,
      content: { type: 'text', text },
      change: { kind: 'edit', targetId: target },
      timestamp: dateOf(m.ts),
      raw: m,
    },
  ];
}

async function normalizeDelete(m: SlackMessage, ctx: NormalizeContext): Promise<InboundMessageInput[]> {
  const ts = m.deleted_ts ?? m.previous_message?.ts;
  if (!m.channel || !ts) return [];
  const previous = m.previous_message;
  if (previous && isSelf(previous, ctx.self)) return [];
  const target = messageKey(m.channel, ts);
  const sender = previous?.user ? await ctx.sender(previous.user) : { id: previous?.bot_id ?? 'unknown' };
  return [
    {
      externalId: `${target}:delete`,
      chatId: m.channel,
      chatType: chatTypeOf(m.channel, m.channel_type),
      sender,
      content: { type: 'text', text: decodeText(previous?.text ?? '') || '[message deleted]' },
      change: { kind: 'delete', targetId: target },
      timestamp: dateOf(m.ts),
      raw: m,
    },
  ];
}

async function normalizeReaction(e: SlackReactionEvent, ctx: NormalizeContext): Promise<InboundMessageInput[]> {
  const { channel, ts } = e.item ?? {};
  if (!e.user || !e.reaction || !channel || !ts || e.item?.type !== 'message' || e.user === ctx.self.userId) return [];
  const target = messageKey(channel, ts);
  const removed = e.type === 'reaction_removed';
  return [
    {
      externalId: `${target}:${removed ? 'unreact' : 'react'}:${e.user}:${e.reaction}:${e.event_ts ?? ''}`,
      chatId: channel,
      chatType: chatTypeOf(channel),
      sender: await ctx.sender(e.user),
      content: { type: 'reaction', messageId: target, emoji: removed ? '' : emojiOf(e.reaction) },
      timestamp: dateOf(e.event_ts),
      raw: e,
    },
  ];
}
