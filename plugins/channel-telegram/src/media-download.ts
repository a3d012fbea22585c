import type { Api } from 'grammy';
import type { ChannelInstance, StoredMedia } from '@omni/plugin-sdk';
import type { TelegramInstanceConfig } from './instance-config.js';
import { apiError, redact } from './telegram-errors.js';

/** Telegram will not hand out this file (too big for bots, expired, gone): retrying cannot help. */
export class MediaUnavailableError extends Error {
  override readonly name = 'MediaUnavailableError';
}

export interface TelegramFileRef {
  fileId: string;
  mimeType: string;
  filename?: string;
}

/**
 * Downloads a file a user sent (getFile, then `<apiRoot>/file/bot<token>/<file_path>`) and
 * stores it in the kernel's media store, so the message keeps its media after Telegram's
 * link expires (about an hour).
 */
export async function downloadToStore(api: Api, instance: ChannelInstance<TelegramInstanceConfig>, ref: TelegramFileRef): Promise<StoredMedia> {
  const { botToken, apiRoot } = instance.config;
  const file = await api.getFile(ref.fileId).catch((err: unknown) => {
    const refused = apiError(err);
    // 4xx: "file is too big" (over 20 MB from api.telegram.org), "invalid file_id"; 429 and 5xx are retried.
    if (refused && refused.error_code >= 400 && refused.error_code < 500 && refused.error_code !== 429) throw new MediaUnavailableError(redact(refused.description, botToken));
    throw err;
  });
  if (!file.file_path) throw new Error(`Telegram gave no file_path for file ${ref.fileId}`);
  const res = await fetch(`${apiRoot}/file/bot${botToken}/${file.file_path}`, { signal: AbortSignal.timeout(60_000) });
  if (res.status === 404) throw new MediaUnavailableError(`the file is gone (HTTP 404)`);
  if (!res.ok) throw new Error(redact(`downloading ${file.file_path} failed: HTTP ${res.status}`, botToken));
  const data = new Uint8Array(await res.arrayBuffer());
  const filename = ref.filename ?? file.file_path.split('/').pop();
  return instance.storeMedia({ data, mimeType: ref.mimeType, ...(filename ? { filename } : {}) });
}
