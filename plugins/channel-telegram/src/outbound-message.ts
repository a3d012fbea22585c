import type { Api } from 'grammy';
import type { ReactionTypeEmoji } from 'grammy/types';
import type { OutboundMessage, SendResult } from '@omni/plugin-sdk';
import { messageExternalId, parseMessageRef } from './message-ids.js';
import { toInputFile } from './outbound-media.js';
import { chunkText } from './text-chunks.js';

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

type Sent = { message_id: number; chat: { id: number } };

/** Common send options: thread (forum topic) and the message replied to. */
function sendOptions(message: OutboundMessage, withReply: boolean) {
  const reply = withReply && message.replyTo ? parseMessageRef(message.replyTo, message.to) : undefined;
  return {
    ...(message.threadId ? { message_thread_id: Number(message.threadId) } : {}),
    ...(reply ? { reply_parameters: { message_id: reply.messageId, allow_sending_without_reply: true } } : {}),
  };
}

async function sendText(api: Api, message: OutboundMessage, text: string, withReply: boolean): Promise<Sent> {
  let first: Sent | undefined;
  for (const [i, part] of chunkText(text, MAX_TEXT).entries()) {
    const sent = await api.sendMessage(message.to, part, sendOptions(message, withReply && i === 0));
    first ??= sent;
  }
  if (!first) throw new Error('text is empty');
  return first;
}

/** A caption over Telegram's 1024 characters goes in text messages after the media. */
async function sendCaptioned(api: Api, message: OutboundMessage, caption: string | undefined, send: (extra: object) => Promise<Sent>): Promise<Sent> {
  const fits = caption === undefined || caption.length <= MAX_CAPTION;
  const sent = await send({ ...sendOptions(message, true), ...(fits && caption ? { caption } : {}) });
  if (!fits) await sendText(api, message, caption, false);
  return sent;
}

/**
 * Sends one Omni message with the Bot API method for its content type. Resolves with the
 * Telegram message (the first one, when text is split); throws grammY's error on failure.
 * A reaction answers with the id of the message reacted to.
 */
export async function sendOutbound(api: Api, message: OutboundMessage): Promise<SendResult> {
  const c = message.content;
  const to = message.to;
  let sent: Sent;
  switch (c.type) {
    case 'text':
      sent = await sendText(api, message, c.text, true);
      break;
    case 'image':
      sent = await sendCaptioned(api, message, c.caption, async (o) => api.sendPhoto(to, await toInputFile(c.media, 'image.jpg'), o));
      break;
    case 'audio':
      sent = c.voiceNote
        ? await api.sendVoice(to, await toInputFile(c.media, 'voice.ogg'), sendOptions(message, true))
        : await api.sendAudio(to, await toInputFile(c.media, 'audio.mp3'), sendOptions(message, true));
      break;
    case 'video':
      sent = await sendCaptioned(api, message, c.caption, async (o) => api.sendVideo(to, await toInputFile(c.media, 'video.mp4'), o));
      break;
    case 'document':
      sent = await sendCaptioned(api, message, c.caption, async (o) => api.sendDocument(to, await toInputFile(c.media, 'file.bin'), o));
      break;
    case 'sticker':
      sent = await api.sendSticker(to, await toInputFile(c.media, 'sticker.webp'), sendOptions(message, true));
      break;
    case 'location':
      sent =
        c.name && c.address
          ? await api.sendVenue(to, c.latitude, c.longitude, c.name, c.address, sendOptions(message, true))
          : await api.sendLocation(to, c.latitude, c.longitude, sendOptions(message, true));
      break;
    case 'contact': {
      if (!c.contact.phone) return { ok: false, error: { code: 'BAD_REQUEST', message: 'Telegram contacts need a phone number', retryable: false } };
      const [first, ...rest] = c.contact.name.split(' ');
      const vcard = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${c.contact.name}`, `TEL:${c.contact.phone}`, ...(c.contact.email ? [`EMAIL:${c.contact.email}`] : []), ...(c.contact.organization ? [`ORG:${c.contact.organization}`] : []), 'END:VCARD'].join('\n');
      sent = await api.sendContact(to, c.contact.phone, first || c.contact.name, { ...sendOptions(message, true), ...(rest.length ? { last_name: rest.join(' ') } : {}), vcard });
      break;
    }
    case 'reaction': {
      const target = parseMessageRef(c.messageId, to);
      if (!target) return { ok: false, error: { code: 'BAD_REQUEST', message: `'${c.messageId}' is not a Telegram message id (<chat id>:<message id>)`, retryable: false } };
      const reaction: ReactionTypeEmoji[] = c.emoji ? [{ type: 'emoji', emoji: c.emoji as ReactionTypeEmoji['emoji'] }] : [];
      await api.setMessageReaction(target.chatId, target.messageId, reaction);
      return { ok: true, externalId: messageExternalId(target.chatId, target.messageId) };
    }
    case 'poll':
      return { ok: false, error: { code: 'CAPABILITY_NOT_SUPPORTED', message: 'this channel does not send polls', retryable: false } };
  }
  return { ok: true, externalId: messageExternalId(sent.chat.id, sent.message_id) };
}
