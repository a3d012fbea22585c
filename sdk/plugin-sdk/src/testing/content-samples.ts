import type { ContentType } from '../capabilities.js';
import type { MessageContent } from '../messages.js';

/** A 1x1 PNG, small enough for any platform, real enough for any decoder. */
export const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const TINY_PDF_BASE64 = Buffer.from('%PDF-1.1\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n').toString('base64');
const TINY_OGG_BASE64 = Buffer.from('OggS\0\x02').toString('base64');
const TINY_MP4_BASE64 = Buffer.from('\0\0\0\x18ftypmp42\0\0\0\0mp42isom').toString('base64');

/** One valid message of each content type, for conformance tests. `reactTo` is the id a reaction targets. */
export function sampleContent(type: ContentType, reactTo: string): MessageContent {
  switch (type) {
    case 'text':
      return { type, text: 'conformance: hello' };
    case 'image':
      return { type, media: { base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'pixel.png' }, caption: 'a pixel' };
    case 'audio':
      return { type, media: { base64: TINY_OGG_BASE64, mimeType: 'audio/ogg', filename: 'note.ogg' } };
    case 'video':
      return { type, media: { base64: TINY_MP4_BASE64, mimeType: 'video/mp4', filename: 'clip.mp4' } };
    case 'document':
      return { type, media: { base64: TINY_PDF_BASE64, mimeType: 'application/pdf', filename: 'doc.pdf' } };
    case 'sticker':
      return { type, media: { base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'sticker.png' } };
    case 'location':
      return { type, latitude: 52.52, longitude: 13.405, name: 'Berlin' };
    case 'contact':
      return { type, contact: { name: 'Ada Lovelace', phone: '+15550100', email: 'ada@example.com' } };
    case 'reaction':
      return { type, messageId: reactTo, emoji: '👍' };
    case 'poll':
      return { type, question: 'Tea or coffee?', options: ['tea', 'coffee'] };
  }
}
