import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const SECRET_KEY_FILE = 'secret.key';

/** Reads a 32-byte key written as 64 hex digits or as base64. */
export function parseSecretKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(`${source} must be 32 random bytes as 64 hex digits or base64 (generate one with: openssl rand -hex 32)`);
  }
  return key;
}

export interface SecretKeySource {
  /** `OMNI_SECRET_KEY`, when set. */
  envKey?: string;
  dataDir: string;
}

/**
 * The key that encrypts secrets at rest: `OMNI_SECRET_KEY`, else `<dataDir>/secret.key`,
 * generated on first start with mode 600. Losing the key file loses the stored secrets,
 * so the file is never rewritten once it exists.
 */
export async function loadSecretKey(source: SecretKeySource): Promise<{ key: Buffer; origin: 'env' | 'file' | 'generated'; path?: string }> {
  if (source.envKey) return { key: parseSecretKey(source.envKey, 'OMNI_SECRET_KEY'), origin: 'env' };
  const dir = resolve(source.dataDir);
  const path = join(dir, SECRET_KEY_FILE);
  try {
    const key = parseSecretKey(await readFile(path, 'utf8'), path);
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
    return { key, origin: 'file', path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process created the file meanwhile; then read theirs.
  try {
    await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(source);
    throw err;
  }
  return { key, origin: 'generated', path };
}
