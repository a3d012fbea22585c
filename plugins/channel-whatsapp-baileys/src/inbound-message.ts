import { getContentType, isJidBroadcast, isJidGroup, jidNormalizedUser, normalizeMessageContent, proto, toNumber, type WAMessage } from 'baileys';
import type { InboundMessageInput, Media, MessageContent, StoredMedia } from '@omni/plugin-sdk';
import { phoneFromJid } from './jid.js';
import { parseVcard } from './vcard.js';

export type MediaMessageType = 'imageMessage' | 'videoMessage' | 'audioMessage' | 'documentMessage' | 'stickerMessage';

/** Downloads a media message's bytes and stores them in Omni (or, for a fast history import, points at the platform's copy); throws when it cannot. */
export type MediaFetcher = (message: WAMessage, type: MediaMessageType) => Promise<StoredMedia | Media>;

/** A media message as a reference to WhatsApp's (encrypted, expiring) copy, without downloading it. */
export function platformMediaRef(message: WAMessage, type: MediaMessageType): Media {
  const media = (normalizeMessageContent(message.message)?.[type] ?? {}) as { url?: string | null; mimetype?: string | null; fileName?: string | null };
  return { url: media.url ?? 'https://mmg.whatsapp.net/', ...(media.mimetype ? { mimeType: media.mimetype } : {}), ...(media.fileName ? { filename: media.fileName } : {}) };
}

const MEDIA_TYPES = new Set<string>(['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage']);

/**
 * Who sent a message: the phone-number JID when WhatsApp tells it (directly, or as the
 * `remoteJidAlt` / `participantAlt` of a LID-addressed message), else the LID.
 */
export function senderOf(key: proto.IMessageKey & { remoteJidAlt?: string; participantAlt?: string }): { id: string; phone?: string; lid?: string } {
  // In groups (and broadcast lists) the sender is the participant, not the chat.
  const group = isJidGroup(key.remoteJid ?? undefined) || Boolean(key.participant && isJidBroadcast(key.remoteJid ?? ''));
  const primary = (group ? key.participant : key.remoteJid) ?? '';
  const alt = group ? key.participantAlt : key.remoteJidAlt;
  const phone = phoneFromJid(primary) ?? phoneFromJid(alt);
  const pnJid = phoneFromJid(primary) ? primary : alt && phoneFromJid(alt) ? alt : undefined;
  const lid = [primary, alt].find((j) => j?.endsWith('@lid'));
  return { id: jidNormalizedUser(pnJid ?? primary), ...(phone ? { phone } : {}), ...(lid ? { lid: jidNormalizedUser(lid) } : {}) };
}

/**
 * One baileys message as Omni's inbound message, or undefined for messages that carry nothing to
 * route (protocol housekeeping, poll votes, status broadcasts). Media is downloaded and stored
 * first; when that fails the message still arrives, with the platform URL and the reason in `raw`.
 */
export async function toInboundMessage(message: WAMessage, fetchMedia: MediaFetcher, ingestMode: 'realtime' | 'history' = 'realtime'): Promise<InboundMessageInput | undefined> {
  const key = message.key;
  const remoteJid = key.remoteJid;
  if (!remoteJid || !key.id || remoteJid === 'status@broadcast' || remoteJid.endsWith('@newsletter')) return undefined;
  const content = normalizeMessageContent(message.message);
  const type = getContentType(content);
  if (!content || !type) return undefined;

  const group = Boolean(isJidGroup(remoteJid));
  const sender = senderOf(key);
  const base = {
    externalId: key.id,
    chatId: group ? remoteJid : sender.id,
    chatType: group ? ('group' as const) : ('dm' as const),
    sender: { id: sender.id, ...(message.pushName ? { name: message.pushName } : {}), ...(sender.phone ? { phone: sender.phone } : {}) },
    ...(message.messageTimestamp ? { timestamp: new Date(toNumber(message.messageTimestamp) * 1000) } : {}),
    ingestMode,
  };

  if (type === 'protocolMessage') {
    const protocol = content.protocolMessage!;
    const targetId = protocol.key?.id;
    if (!targetId) return undefined;
    if (protocol.type === proto.Message.ProtocolMessage.Type.REVOKE) {
      return { ...base, change: { kind: 'delete', targetId }, content: { type: 'text', text: '[deleted]' } };
    }
    if (protocol.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT && protocol.editedMessage) {
      const edited = normalizeMessageContent(protocol.editedMessage);
      const text = edited?.conversation ?? edited?.extendedTextMessage?.text ?? edited?.imageMessage?.caption ?? edited?.videoMessage?.caption;
      if (!text) return undefined;
      return { ...base, change: { kind: 'edit', targetId }, content: { type: 'text', text } };
    }
    return undefined;
  }

  const inner = content[type] as { contextInfo?: proto.IContextInfo | null } | undefined;
  const context = typeof inner === 'object' && inner ? inner.contextInfo : undefined;
  const replyTo = context?.stanzaId ?? undefined;
  const mentions = context?.mentionedJid?.length ? context.mentionedJid : undefined;

  let normalized: MessageContent | undefined;
  let raw: Record<string, unknown> | undefined;
  if (MEDIA_TYPES.has(type)) {
    const result = await mediaContent(message, content, type as MediaMessageType, fetchMedia);
    normalized = result.content;
    raw = result.error ? { mediaError: result.error } : undefined;
  } else {
    normalized = otherContent(content, type);
  }
  if (!normalized) return undefined;
  return {
    ...base,
    content: normalized,
    ...(replyTo ? { replyTo } : {}),
    ...(mentions ? { mentions } : {}),
    ...(raw ? { raw } : {}),
  };
}

function otherContent(content: proto.IMessage, type: keyof proto.IMessage): MessageContent | undefined {
  switch (type) {
    case 'conversation':
      return content.conversation ? { type: 'text', text: content.conversation } : undefined;
    case 'extendedTextMessage':
      return content.extendedTextMessage?.text ? { type: 'text', text: content.extendedTextMessage.text } : undefined;
    case 'locationMessage':
    case 'liveLocationMessage': {
      const loc = content.locationMessage ?? content.liveLocationMessage!;
      const name = 'name' in loc ? loc.name : undefined;
      const address = 'address' in loc ? loc.address : undefined;
      return {
        type: 'location',
        latitude: loc.degreesLatitude ?? 0,
        longitude: loc.degreesLongitude ?? 0,
        ...(name ? { name } : {}),
        ...(address ? { address } : {}),
      };
    }
    case 'contactMessage':
      return { type: 'contact', contact: parseVcard(content.contactMessage?.vcard ?? '', content.contactMessage?.displayName ?? undefined) };
    case 'contactsArrayMessage': {
      const first = content.contactsArrayMessage?.contacts?.[0];
      return first ? { type: 'contact', contact: parseVcard(first.vcard ?? '', first.displayName ?? undefined) } : undefined;
    }
    case 'reactionMessage': {
      const target = content.reactionMessage?.key?.id;
      return target ? { type: 'reaction', messageId: target, emoji: content.reactionMessage?.text ?? '' } : undefined;
    }
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3': {
      const poll = content.pollCreationMessage ?? content.pollCreationMessageV2 ?? content.pollCreationMessageV3!;
      const options = (poll.options ?? []).map((o) => o.optionName ?? '').filter(Boolean);
      if (!poll.name || options.length < 2) return undefined;
      return { type: 'poll', question: poll.name, options, multipleAnswers: (poll.selectableOptionsCount ?? 0) !== 1 };
    }
    default:
      return undefined;
  }
}

async function mediaContent(
  message: WAMessage,
  content: proto.IMessage,
  type: MediaMessageType,
  fetchMedia: MediaFetcher,
): Promise<{ content: MessageContent; error?: string }> {
  const media = content[type] as { url?: string | null; mimetype?: string | null; caption?: string | null; fileName?: string | null; ptt?: boolean | null };
  let m: Media;
  let error: string | undefined;
  try {
    m = await fetchMedia(message, type);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    m = platformMediaRef(message, type);
  }
  const caption = media.caption ? { caption: media.caption } : {};
  const out: MessageContent =
    type === 'imageMessage'
      ? { type: 'image', media: m, ...caption }
      : type === 'videoMessage'
        ? { type: 'video', media: m, ...caption }
        : type === 'audioMessage'
          ? { type: 'audio', media: m, voiceNote: Boolean(media.ptt) }
          : type === 'stickerMessage'
            ? { type: 'sticker', media: m }
            : { type: 'document', media: m, ...caption };
  return error ? { content: out, error } : { content: out };
}
