import type { ChatType, InboundMessageInput, MessageContent, Sender, StoredMedia } from '@omni/plugin-sdk';
import type { Chat, Message, Update, User } from 'grammy/types';
import { MediaUnavailableError, type TelegramFileRef } from './media-download.js';
import { messageExternalId } from './message-ids.js';

/** Downloads and stores one Telegram file; the adapter binds it to the instance. */
export type FileStorer = (ref: TelegramFileRef) => Promise<StoredMedia>;

/** The update types the channel asks Telegram for (reactions are not sent unless asked). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'message_reaction'] as const;

const CHAT_TYPES: Record<Chat['type'], ChatType> = { private: 'dm', group: 'group', supergroup: 'group', channel: 'channel' };

const fullName = (first: string, last?: string) => (last ? `${first} ${last}` : first);

function sender(from: User | undefined, senderChat: Chat | undefined, chat: Chat): Sender {
  if (from) return { id: String(from.id), name: fullName(from.first_name, from.last_name), ...(from.username ? { username: from.username } : {}), isBot: from.is_bot };
  const source = senderChat ?? chat;
  return { id: String(source.id), ...('title' in source && source.title ? { name: source.title } : {}), ...('username' in source && source.username ? { username: source.username } : {}) };
}

/** `@username` for mention entities, the user id for text mentions (users without a username). */
function mentions(message: Message): string[] | undefined {
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  const found = entities.flatMap((e) => (e.type === 'mention' ? [text.slice(e.offset, e.offset + e.length)] : e.type === 'text_mention' ? [String(e.user.id)] : []));
  return found.length > 0 ? found : undefined;
}

/** The message's content; media is downloaded and stored through `store`. Undefined for service messages. */
async function content(message: Message, store: FileStorer): Promise<MessageContent | undefined> {
  const caption = message.caption ? { caption: message.caption } : {};
  if (message.text !== undefined) return { type: 'text', text: message.text };
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo[message.photo.length - 1]!;
    return { type: 'image', media: await store({ fileId: largest.file_id, mimeType: 'image/jpeg' }), ...caption };
  }
  if (message.voice) return { type: 'audio', voiceNote: true, media: await store({ fileId: message.voice.file_id, mimeType: message.voice.mime_type ?? 'audio/ogg' }) };
  if (message.audio) return { type: 'audio', media: await store({ fileId: message.audio.file_id, mimeType: message.audio.mime_type ?? 'audio/mpeg', filename: message.audio.file_name }) };
  if (message.video) return { type: 'video', media: await store({ fileId: message.video.file_id, mimeType: message.video.mime_type ?? 'video/mp4', filename: message.video.file_name }), ...caption };
  if (message.video_note) return { type: 'video', media: await store({ fileId: message.video_note.file_id, mimeType: 'video/mp4' }) };
  if (message.sticker) {
    const s = message.sticker;
    return { type: 'sticker', media: await store({ fileId: s.file_id, mimeType: s.is_video ? 'video/webm' : s.is_animated ? 'application/x-tgsticker' : 'image/webp' }) };
  }
  if (message.document) return { type: 'document', media: await store({ fileId: message.document.file_id, mimeType: message.document.mime_type ?? 'application/octet-stream', filename: message.document.file_name }), ...caption };
  if (message.venue) return { type: 'location', latitude: message.venue.location.latitude, longitude: message.venue.location.longitude, name: message.venue.title, address: message.venue.address };
  if (message.location) return { type: 'location', latitude: message.location.latitude, longitude: message.location.longitude };
  if (message.contact) {
    const c = message.contact;
    return { type: 'contact', contact: { name: fullName(c.first_name, c.last_name), phone: c.phone_number } };
  }
  return undefined;
}

/** A forum topic's messages "reply" to the topic's first message; only a real reply is a reply. */
function replyTo(message: Message): string | undefined {
  const target = message.reply_to_message;
  if (!target) return undefined;
  if (message.is_topic_message && target.message_id === message.message_thread_id) return undefined;
  return messageExternalId(message.chat.id, target.message_id);
}

function fromMessage(message: Message, body: MessageContent, update: Update, edit: boolean): InboundMessageInput {
  const id = messageExternalId(message.chat.id, message.message_id);
  const found = mentions(message);
  const reply = replyTo(message);
  return {
    externalId: edit ? `${id}:edit:${message.edit_date ?? message.date}` : id,
    chatId: String(message.chat.id),
    chatType: CHAT_TYPES[message.chat.type],
    ...(message.is_topic_message && message.message_thread_id !== undefined ? { threadId: String(message.message_thread_id) } : {}),
    sender: sender(message.from, message.sender_chat, message.chat),
    content: body,
    ...(reply ? { replyTo: reply } : {}),
    ...(found ? { mentions: found } : {}),
    ...(edit ? { change: { kind: 'edit' as const, targetId: id } } : {}),
    timestamp: new Date((edit ? (message.edit_date ?? message.date) : message.date) * 1000),
    raw: update,
  };
}

/**
 * Turns one Telegram update into Omni's inbound message, or undefined for updates that carry
 * no message (service messages, polls, reactions without a user). The Bot API does not tell
 * bots about deleted messages, so there are no deletes to report.
 */
export async function toInboundMessage(update: Update, store: FileStorer): Promise<InboundMessageInput | undefined> {
  const reaction = update.message_reaction;
  if (reaction) {
    const actor = reaction.user ?? reaction.actor_chat;
    if (!actor) return undefined;
    const emoji = reaction.new_reaction.flatMap((r) => (r.type === 'emoji' ? [r.emoji] : []))[0] ?? '';
    const target = messageExternalId(reaction.chat.id, reaction.message_id);
    return {
      externalId: `${target}:reaction:${actor.id}:${reaction.date}:${emoji || 'none'}`,
      chatId: String(reaction.chat.id),
      chatType: CHAT_TYPES[reaction.chat.type],
      sender: reaction.user ? sender(reaction.user, undefined, reaction.chat) : sender(undefined, reaction.actor_chat, reaction.chat),
      content: { type: 'reaction', messageId: target, emoji },
      timestamp: new Date(reaction.date * 1000),
      raw: update,
    };
  }
  const edited = update.edited_message ?? update.edited_channel_post;
  const message = edited ?? update.message ?? update.channel_post;
  if (!message) return undefined;
  const body = await content(message, store).catch((err: unknown) => {
    if (!(err instanceof MediaUnavailableError)) throw err;
    // Keep the message (and its caption) rather than lose it or block the updates behind it.
    const what = message.photo ? 'photo' : message.voice ? 'voice note' : message.sticker ? 'sticker' : message.video || message.video_note ? 'video' : message.audio ? 'audio' : 'file';
    return { type: 'text' as const, text: `[${what} not downloaded: ${err.message}]${message.caption ? ` ${message.caption}` : ''}` };
  });
  if (!body) return undefined;
  return fromMessage(message, body, update, edited !== undefined);
}
