import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StoreMediaInput, StoredMedia } from '@omni/plugin-sdk';

interface MediaMeta {
  mimeType: string;
  filename?: string;
  size: number;
}

const KEY = /^([A-Za-z0-9_-]{1,64})\/([0-9a-f]{64})$/;

/** The API path that serves a stored file. */
export const mediaPath = (storageKey: string): string => `/api/v2/media/${storageKey}`;

/**
 * Content-addressed media on disk under `<dataDir>/media/<instanceId>/<sha256>`, with a JSON
 * sidecar for type and name. Channels store inbound attachments here as soon as they arrive,
 * so a platform URL that expires never loses the file.
 */
export class MediaStore {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = join(resolve(dataDir), 'media');
  }

  async put(instanceId: string, input: StoreMediaInput): Promise<StoredMedia> {
    const data = Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
    const hash = createHash('sha256').update(data).digest('hex');
    const storageKey = `${instanceId}/${hash}`;
    if (!KEY.test(storageKey)) throw new Error(`instance id '${instanceId}' cannot name a media folder`);
    const dir = join(this.root, instanceId);
    await mkdir(dir, { recursive: true });
    const meta: MediaMeta = { mimeType: input.mimeType || 'application/octet-stream', size: data.length, ...(input.filename ? { filename: input.filename } : {}) };
    // Write to a temporary name and rename, so a reader never sees half a file.
    const file = join(dir, hash);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file);
    await writeFile(`${file}.json`, JSON.stringify(meta));
    return { storageKey, ...meta };
  }

  /** The file and its metadata, or undefined when the key is malformed or unknown. */
  async get(storageKey: string): Promise<{ data: Buffer; meta: MediaMeta; instanceId: string } | undefined> {
    const match = KEY.exec(storageKey);
    if (!match) return undefined;
    const file = join(this.root, match[1]!, match[2]!);
    try {
      const [data, meta] = await Promise.all([readFile(file), readFile(`${file}.json`, 'utf8')]);
      return { data, meta: JSON.parse(meta) as MediaMeta, instanceId: match[1]! };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}
