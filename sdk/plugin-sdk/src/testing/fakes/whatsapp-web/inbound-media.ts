import { readFile, rm } from 'node:fs/promises';
import { encryptedStream, type proto } from 'baileys';
import type { FakeMediaHost } from './media-host.js';

export type InboundMediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

/**
 * Encrypts bytes the way a phone does (baileys' own `encryptedStream`), stores the ciphertext on
 * the fake media host, and returns the proto message that points at it.
 */
export async function encryptInboundMedia(
  host: FakeMediaHost,
  kind: InboundMediaKind,
  bytes: Buffer,
  extra: { mimetype: string; caption?: string; fileName?: string; ptt?: boolean },
): Promise<proto.IMessage> {
  const encrypted = await encryptedStream(bytes, kind);
  try {
    const blob = host.put(await readFile(encrypted.encFilePath), kind);
    const media = {
      url: host.urlOf(blob.directPath),
      directPath: blob.directPath,
      mediaKey: encrypted.mediaKey,
      fileEncSha256: encrypted.fileEncSha256,
      fileSha256: encrypted.fileSha256,
      fileLength: encrypted.fileLength,
      mimetype: extra.mimetype,
      ...(extra.caption ? { caption: extra.caption } : {}),
      ...(extra.fileName ? { fileName: extra.fileName } : {}),
      ...(kind === 'audio' && extra.ptt ? { ptt: true } : {}),
    };
    return { [`${kind}Message`]: media } as proto.IMessage;
  } finally {
    await rm(encrypted.encFilePath, { force: true });
    if (encrypted.originalFilePath) await rm(encrypted.originalFilePath, { force: true });
  }
}
