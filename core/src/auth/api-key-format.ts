import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'omni_sk_';

export interface NewKeyMaterial {
  key: string;
  keyHash: string;
  prefix: string;
  suffix: string;
}

/** SHA-256 suffices: keys are 256 random bits, so there is nothing to brute-force. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export function newApiKey(): NewKeyMaterial {
  const key = PREFIX + randomBytes(32).toString('base64url');
  return materialOf(key);
}

/** Hash and display parts of a given key (bootstrap from `OMNI_API_KEY`). */
export function materialOf(key: string): NewKeyMaterial {
  return { key, keyHash: hashApiKey(key), prefix: key.slice(0, 8), suffix: key.slice(-4) };
}
