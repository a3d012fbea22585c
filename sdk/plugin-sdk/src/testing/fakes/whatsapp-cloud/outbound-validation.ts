/** The message types the fake accepts on `POST /{phone_number_id}/messages`. */
export const GRAPH_MESSAGE_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'reaction', 'interactive', 'template'] as const;
export type GraphMessageType = (typeof GRAPH_MESSAGE_TYPES)[number];

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));

/**
 * Checks a send request the way the Cloud API does, closely enough to catch a malformed payload:
 * returns the problem in Meta's words, or undefined when the message is acceptable.
 * `knownMedia` tells whether an uploaded media id exists.
 */
export function outboundProblem(body: unknown, knownMedia: (id: string) => boolean): string | undefined {
  if (!isObject(body)) return 'The request body must be a JSON object.';
  const message = body as Record<string, any>;
  if (message.messaging_product !== 'whatsapp') return 'The parameter messaging_product is required.';
  if (typeof message.to !== 'string' || !/^\+?\d{5,20}$/.test(message.to)) return 'The parameter to is required and must be a phone number.';
  const type = message.type ?? 'text';
  if (!(GRAPH_MESSAGE_TYPES as readonly string[]).includes(type)) return `Param type must be one of {${GRAPH_MESSAGE_TYPES.join(', ')}}.`;
  if (message.context !== undefined && (!isObject(message.context) || typeof message.context.message_id !== 'string')) return 'Param context.message_id must be a string.';
  const part: any = message[type];
  if (!isObject(part) && !(type === 'contacts' && Array.isArray(part))) return `The parameter ${type} is required.`;
  if (type === 'text') {
    if (typeof part.body !== 'string' || part.body.length === 0) return 'Param text.body is required.';
    if (part.body.length > 4096) return 'Param text.body must be at most 4096 characters long.';
  }
  if (MEDIA_TYPES.has(type)) {
    const hasId = typeof part.id === 'string';
    const hasLink = typeof part.link === 'string';
    if (hasId === hasLink) return `Param ${type} must have exactly one of id or link.`;
    if (hasId && !knownMedia(part.id)) return `Param ${type}.id is not a valid media id.`;
    if (hasLink && !/^https?:\/\//.test(part.link)) return `Param ${type}.link must be an http(s) URL.`;
    if (part.caption !== undefined && (type === 'audio' || type === 'sticker')) return `Param ${type}.caption is not supported.`;
  }
  if (type === 'location' && (!isNumber(part.latitude) || !isNumber(part.longitude))) return 'Params location.latitude and location.longitude are required.';
  if (type === 'contacts') {
    if (!Array.isArray(part) || part.length === 0) return 'Param contacts must be a non-empty array.';
    if (part.some((c) => !isObject(c) || !isObject(c.name) || typeof c.name.formatted_name !== 'string')) return 'Param contacts[].name.formatted_name is required.';
  }
  if (type === 'reaction' && (typeof part.message_id !== 'string' || typeof part.emoji !== 'string')) return 'Params reaction.message_id and reaction.emoji are required.';
  return undefined;
}
