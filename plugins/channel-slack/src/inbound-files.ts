import { OmniError, type Media, type MessageContent, type StoredMedia, type StoreMediaInput } from '@omni/plugin-sdk';

/** The parts of a Slack file object Omni reads. */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  mode?: string;
}

export interface FileDownloader {
  botToken: string;
  maxBytes: number;
  timeoutMs: number;
  store(input: StoreMediaInput): Promise<StoredMedia>;
}

/** The content type a file becomes, by its mime type. */
export function contentTypeOf(mimeType: string): 'image' | 'audio' | 'video' | 'document' {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  return 'document';
}

/**
 * Downloads a Slack file with the bot token (`url_private` needs it) and stores it in Omni's
 * media store, so it outlives Slack's URL. A file over the size limit keeps its Slack URL instead.
 * A failed download throws, so the event is not acknowledged and Slack delivers it again.
 */
export async function downloadFile(file: SlackFile, d: FileDownloader): Promise<Media> {
  const url = file.url_private_download ?? file.url_private;
  const mimeType = file.mimetype || 'application/octet-stream';
  const filename = file.name ?? file.title ?? file.id;
  if (!url) throw new OmniError('PLATFORM_ERROR', `Slack file ${file.id} has no download URL`);
  if (file.size !== undefined && file.size > d.maxBytes) return { url, mimeType, filename, size: file.size };
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${d.botToken}` }, redirect: 'follow', signal: AbortSignal.timeout(d.timeoutMs) });
  } catch (err) {
    throw new OmniError('PLATFORM_ERROR', `could not download Slack file ${file.id}: ${(err as Error).message}`);
  }
  const type = res.headers.get('content-type') ?? '';
  // Slack answers a sign-in page (HTML, 200) when the token cannot read the file.
  if (!res.ok || (type.startsWith('text/html') && !mimeType.startsWith('text/html'))) {
    throw new OmniError('PLATFORM_ERROR', `Slack refused the download of file ${file.id} (HTTP ${res.status}); does the app have files:read?`);
  }
  const data = new Uint8Array(await res.arrayBuffer());
  if (data.byteLength > d.maxBytes) return { url, mimeType, filename, size: data.byteLength };
  return d.store({ data, mimeType, filename });
}

/** The message content for one downloaded file; the caption rides along where the type allows one. */
export function fileContent(media: Media, caption: string | undefined): MessageContent {
  const type = contentTypeOf(media.mimeType ?? 'application/octet-stream');
  if (type === 'audio') return { type, media };
  return { type, media, ...(caption ? { caption } : {}) };
}
