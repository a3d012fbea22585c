import { SecretCipher } from './secret-cipher.js';

type Json = Record<string, unknown>;

/**
 * Encrypts named top-level string fields of a JSON object (channel credentials, agent API keys)
 * on the way into the database and decrypts every encrypted field on the way out.
 */
export class SecretFields {
  constructor(private readonly cipher: SecretCipher) {}

  seal<T extends Json | null | undefined>(obj: T, fields: readonly string[]): T {
    if (!obj || fields.length === 0) return obj;
    const out: Json = { ...obj };
    for (const f of fields) {
      const value = out[f];
      if (typeof value === 'string' && value !== '' && !SecretCipher.isEncrypted(value)) out[f] = this.cipher.encrypt(value);
    }
    return out as T;
  }

  open<T extends Json | null | undefined>(obj: T): T {
    if (!obj) return obj;
    let out: Json | undefined;
    for (const [key, value] of Object.entries(obj)) {
      if (!SecretCipher.isEncrypted(value)) continue;
      out ??= { ...obj };
      out[key] = this.cipher.decrypt(value);
    }
    return (out ?? obj) as T;
  }
}
