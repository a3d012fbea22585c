import { createHash } from 'node:crypto';
import { GraphApiError, type GraphClient } from './graph-client.js';

interface MediaInfo {
  url: string;
  mime_type?: string;
  sha256?: string;
  file_size?: number;
  id: string;
}

/**
 * Downloads a customer's attachment: `GET /{media_id}` for its short-lived URL, then the bytes
 * from that URL with the Bearer token. Checks the size limit and Meta's SHA-256.
 */
export async function downloadMedia(graph: GraphClient, mediaId: string, maxBytes: number): Promise<{ bytes: Uint8Array; mimeType: string | undefined }> {
  const info = await graph.get<MediaInfo>(encodeURIComponent(mediaId));
  if (typeof info.file_size === 'number' && info.file_size > maxBytes) throw new GraphApiError(413, undefined, `media ${mediaId} is ${info.file_size} bytes, over the ${maxBytes} byte limit`);
  const { bytes, contentType } = await graph.download(info.url, maxBytes);
  if (info.sha256 && /^[0-9a-f]{64}$/i.test(info.sha256)) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== info.sha256.toLowerCase()) throw new GraphApiError(502, undefined, `media ${mediaId} arrived corrupted (SHA-256 mismatch)`);
  }
  return { bytes, mimeType: info.mime_type ?? contentType };
}

/** Uploads a file for sending (`POST /{phone_number_id}/media`, multipart); answers the media id. */
export async function uploadMedia(graph: GraphClient, phoneNumberId: string, file: { bytes: Uint8Array; mimeType: string; filename: string }): Promise<string> {
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', file.mimeType);
  form.append('file', new Blob([file.bytes], { type: file.mimeType }), file.filename);
  const { id } = await graph.postForm<{ id: string }>(`${phoneNumberId}/media`, form);
  return id;
}
