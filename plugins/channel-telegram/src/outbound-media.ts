import { InputFile } from 'grammy';
import type { Media } from '@omni/plugin-sdk';

/** Largest file a bot may upload through the Bot API. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/**
 * The bytes of an outbound media item as a grammY upload. URLs are fetched here rather than
 * handed to Telegram, so media on this hub's own /api/v2/media URLs (or any private URL) works.
 */
export async function toInputFile(media: Media, fallbackName: string): Promise<InputFile> {
  const filename = media.filename ?? fallbackName;
  if (media.base64 !== undefined) return new InputFile(Buffer.from(media.base64, 'base64'), filename);
  if (media.url !== undefined) {
    const res = await fetch(media.url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`could not fetch media from ${new URL(media.url).host}: HTTP ${res.status}`);
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > MAX_UPLOAD_BYTES) throw new Error(`media is ${data.length} bytes; Telegram bots may upload at most ${MAX_UPLOAD_BYTES}`);
    return new InputFile(data, media.filename ?? (new URL(media.url).pathname.split('/').pop() || fallbackName));
  }
  throw new Error('media needs base64 or a url to send to Telegram');
}
