import type { APIAttachment } from 'discord.js';
import type { ChannelInstance, Media } from '@omni/plugin-sdk';
import { NotSendable } from './platform-error.js';

export type MediaKind = 'image' | 'audio' | 'video' | 'document';

/** The common content type for a file, by its mime type. */
export function mediaKind(mimeType: string | undefined): MediaKind {
  const top = mimeType?.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'document';
}

/**
 * Downloads a Discord attachment from its CDN URL and stores it with the kernel, so the media
 * stays available after Discord's signed URL expires. If the download fails, the message keeps
 * Discord's URL (and says why in the log) rather than being lost.
 */
export async function storeAttachment(instance: ChannelInstance, att: APIAttachment): Promise<Media> {
  try {
    const res = await fetch(att.url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`CDN answered ${res.status}`);
    const data = new Uint8Array(await res.arrayBuffer());
    return await instance.storeMedia({ data, mimeType: att.content_type ?? res.headers.get('content-type') ?? 'application/octet-stream', filename: att.filename });
  } catch (err) {
    instance.logger.warn({ attachmentId: att.id, err: (err as Error).message }, 'could not download a Discord attachment; keeping its URL');
    return { url: att.url, mimeType: att.content_type ?? 'application/octet-stream', filename: att.filename, size: att.size };
  }
}

export interface OutboundFile {
  name: string;
  data: Buffer;
  contentType: string;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'video/mp4': 'mp4', 'application/pdf': 'pdf' };

/** The bytes of an outbound media payload (base64 or a URL to fetch), ready to upload as `files[0]`. */
export async function outboundFile(media: Media, kind: MediaKind): Promise<OutboundFile> {
  let data: Buffer;
  let contentType = media.mimeType;
  if (media.base64 !== undefined) {
    data = Buffer.from(media.base64, 'base64');
  } else if (media.url !== undefined) {
    const res = await fetch(media.url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new NotSendable(`media URL answered ${res.status}`);
    data = Buffer.from(await res.arrayBuffer());
    contentType ??= res.headers.get('content-type')?.split(';')[0];
  } else {
    throw new NotSendable('media needs a url or base64 to be sent to Discord');
  }
  contentType ??= 'application/octet-stream';
  const fromUrl = media.url ? decodeURIComponent(new URL(media.url).pathname.split('/').pop() ?? '') : '';
  const name = media.filename ?? (fromUrl.includes('.') ? fromUrl : `${kind}.${EXTENSIONS[contentType] ?? 'bin'}`);
  return { name, data, contentType };
}
