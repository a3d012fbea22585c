import type { AnyMessageContent, WAMediaUpload } from 'baileys';
import { OmniError, type Media, type MessageContent } from '@omni/plugin-sdk';
import { buildVcard } from './vcard.js';

/** Omni media as something baileys can upload: bytes from base64, or a URL baileys fetches itself. */
function upload(media: Media): WAMediaUpload {
  if (media.base64 !== undefined) return Buffer.from(media.base64, 'base64');
  if (media.url !== undefined) return { url: media.url };
  throw new OmniError('VALIDATION_ERROR', 'outbound media needs a url or base64 (a storageKey alone cannot be sent)');
}

/** Omni's message content as baileys' `sendMessage` content. `jid` is the chat the message goes to. */
export function toBaileysContent(content: MessageContent, jid: string): AnyMessageContent {
  switch (content.type) {
    case 'text':
      return { text: content.text };
    case 'image':
      return { image: upload(content.media), ...(content.caption ? { caption: content.caption } : {}), ...(content.media.mimeType ? { mimetype: content.media.mimeType } : {}) };
    case 'video':
      return { video: upload(content.media), ...(content.caption ? { caption: content.caption } : {}), ...(content.media.mimeType ? { mimetype: content.media.mimeType } : {}) };
    case 'audio':
      return {
        audio: upload(content.media),
        ptt: Boolean(content.voiceNote),
        mimetype: content.voiceNote ? 'audio/ogg; codecs=opus' : (content.media.mimeType ?? 'audio/mpeg'),
      };
    case 'document':
      return {
        document: upload(content.media),
        mimetype: content.media.mimeType ?? 'application/octet-stream',
        fileName: content.media.filename ?? 'file',
        ...(content.caption ? { caption: content.caption } : {}),
      };
    case 'sticker':
      return { sticker: upload(content.media) };
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          ...(content.name ? { name: content.name } : {}),
          ...(content.address ? { address: content.address } : {}),
        },
      };
    case 'contact':
      return { contacts: { displayName: content.contact.name, contacts: [{ displayName: content.contact.name, vcard: buildVcard(content.contact) }] } };
    case 'reaction':
      return { react: { text: content.emoji, key: { remoteJid: jid, id: content.messageId, fromMe: false } } };
    case 'poll':
      return { poll: { name: content.question, values: content.options, selectableCount: content.multipleAnswers ? 0 : 1 } };
  }
}
