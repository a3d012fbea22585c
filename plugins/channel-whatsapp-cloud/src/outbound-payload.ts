import type { Media, OutboundMessage } from '@omni/plugin-sdk';

/** How a media file reaches Meta: an uploaded media id, or a public link Meta fetches itself. */
export type MediaReference = { id: string } | { link: string };
/** Uploads or links one outbound file. */
export type MediaResolver = (media: Media, kind: MediaKind) => Promise<MediaReference>;

type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

/** The recipient as the Cloud API wants it: digits only (a wa_id or E.164 without `+`). */
export const waIdOf = (to: string) => to.replace(/[^\d]/g, '');

/** Builds the JSON body of `POST /{phone_number_id}/messages` for one outbound message. */
export async function toGraphMessage(message: OutboundMessage, resolveMedia: MediaResolver): Promise<Record<string, unknown>> {
  const head = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: waIdOf(message.to),
    ...(message.replyTo ? { context: { message_id: message.replyTo } } : {}),
  };
  const c = message.content;
  switch (c.type) {
    case 'text':
      return { ...head, type: 'text', text: { body: c.text, preview_url: /https?:\/\//.test(c.text) } };
    case 'image':
    case 'video':
      return { ...head, type: c.type, [c.type]: { ...(await resolveMedia(c.media, c.type)), ...(c.caption ? { caption: c.caption } : {}) } };
    case 'document':
      return {
        ...head,
        type: 'document',
        document: { ...(await resolveMedia(c.media, 'document')), ...(c.caption ? { caption: c.caption } : {}), ...(c.media.filename ? { filename: c.media.filename } : {}) },
      };
    case 'audio':
    case 'sticker':
      return { ...head, type: c.type, [c.type]: await resolveMedia(c.media, c.type) };
    case 'location':
      return { ...head, type: 'location', location: { latitude: c.latitude, longitude: c.longitude, ...(c.name ? { name: c.name } : {}), ...(c.address ? { address: c.address } : {}) } };
    case 'contact': {
      const { name, phone, email, organization } = c.contact;
      const [first, ...rest] = name.trim().split(/\s+/);
      return {
        ...head,
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: name, first_name: first, ...(rest.length ? { last_name: rest.join(' ') } : {}) },
            ...(phone ? { phones: [{ phone, type: 'CELL', ...(waIdOf(phone) ? { wa_id: waIdOf(phone) } : {}) }] } : {}),
            ...(email ? { emails: [{ email, type: 'WORK' }] } : {}),
            ...(organization ? { org: { company: organization } } : {}),
          },
        ],
      };
    }
    case 'reaction': {
      // A reaction names its message itself; Meta takes no reply context on it.
      const { context: _context, ...plain } = head as typeof head & { context?: unknown };
      return { ...plain, type: 'reaction', reaction: { message_id: c.messageId, emoji: c.emoji } };
    }
    case 'poll':
      throw new Error('the WhatsApp Cloud API has no polls');
  }
}
