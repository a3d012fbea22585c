import type { KeyValueStore } from '@omni/plugin-sdk';
import type { SecretCipher } from './secret-cipher.js';

/** A key-value store whose values are sealed with the secret cipher before they reach the database. */
export function encryptedStore(inner: KeyValueStore, cipher: SecretCipher): KeyValueStore {
  return {
    get: async <T>(key: string) => {
      const stored = await inner.get<string>(key);
      return stored === undefined ? undefined : cipher.open<T>(stored);
    },
    set: (key, value) => inner.set(key, cipher.seal(value)),
    delete: (key) => inner.delete(key),
    list: async <T>(prefix?: string) => (await inner.list<string>(prefix)).map(({ key, value }) => ({ key, value: cipher.open<T>(value) })),
    deletePrefix: (prefix) => inner.deletePrefix(prefix),
  };
}
