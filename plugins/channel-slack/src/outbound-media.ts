import type { Media } from '@omni/plugin-sdk';

export type MediaBytes = { ok: true; data: Buffer; filename: string; mimeType?: string } | { ok: false; message: string };

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'video/mp4': 'mp4', 'application/pdf': 'pdf' };

/** The bytes of an outbound media item: inline base64, or fetched from its http(s) URL. */
export async function mediaBytes(media: Media, fallbackName: string, timeoutMs: number, maxBytes: number): Promise<MediaBytes> {
  const filename = media.filename ?? `${fallbackName}.${EXTENSIONS[media.mimeType ?? ''] ?? 'bin'}`;
  if (media.base64 !== undefined) return { ok: true, data: Buffer.from(media.base64, 'base64'), filename, mimeType: media.mimeType };
  if (!media.url || !/^https?:\/\//.test(media.url)) return { ok: false, message: 'media needs base64 or an http(s) url to upload to Slack' };
  try {
    const res = await fetch(media.url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { ok: false, message: `could not fetch media from ${new URL(media.url).host}: HTTP ${res.status}` };
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > maxBytes) return { ok: false, message: `media is ${data.length} bytes, over Slack's limit` };
    return { ok: true, data, filename, mimeType: media.mimeType ?? res.headers.get('content-type') ?? undefined };
  } catch (err) {
    return { ok: false, message: `could not fetch media: ${(err as Error).message}` };
  }
}
