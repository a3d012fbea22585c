import type { Media } from '@omni/plugin-sdk';
import { MAX_MEDIA_BYTES } from './capabilities.js';
import type { GraphClient } from './graph-client.js';
import { uploadMedia } from './media-transfer.js';
import type { MediaReference } from './outbound-payload.js';

const DEFAULTS: Record<string, { mimeType: string; ext: string }> = {
  image: { mimeType: 'image/jpeg', ext: 'jpg' },
  audio: { mimeType: 'audio/ogg', ext: 'ogg' },
  video: { mimeType: 'video/mp4', ext: 'mp4' },
  document: { mimeType: 'application/pdf', ext: 'pdf' },
  sticker: { mimeType: 'image/webp', ext: 'webp' },
};

/** Thrown when an outbound file cannot be sent as given (no usable source, too large). */
export class OutboundMediaError extends Error {
  override readonly name = 'OutboundMediaError';
}

/**
 * Resolves outbound media for the Cloud API: base64 content is uploaded to Meta and sent by
 * media id; an http(s) URL is sent as a link, which Meta fetches itself.
 */
export function createMediaResolver(graph: GraphClient, phoneNumberId: string) {
  return async (media: Media, kind: string): Promise<MediaReference> => {
    if (media.base64 !== undefined) {
      const bytes = Buffer.from(media.base64, 'base64');
      if (bytes.length === 0) throw new OutboundMediaError(`the ${kind}'s base64 content is empty`);
      if (bytes.length > MAX_MEDIA_BYTES) throw new OutboundMediaError(`the ${kind} is ${bytes.length} bytes, over the ${MAX_MEDIA_BYTES} byte limit`);
      const fallback = DEFAULTS[kind]!;
      return { id: await uploadMedia(graph, phoneNumberId, { bytes, mimeType: media.mimeType ?? fallback.mimeType, filename: media.filename ?? `${kind}.${fallback.ext}` }) };
    }
    if (media.url !== undefined && /^https?:\/\//i.test(media.url)) return { link: media.url };
    throw new OutboundMediaError(`the ${kind} needs base64 content or a public http(s) url`);
  };
}
