import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretCipher } from './secret-cipher.js';
import { SecretFields } from './secret-fields.js';
import { loadSecretKey } from './secret-key.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omni-secret-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

describe('SecretCipher', () => {
  const cipher = new SecretCipher(Buffer.alloc(32, 7));

  it('round-trips and never repeats a ciphertext', () => {
    const a = cipher.encrypt('bot-token-123');
    const b = cipher.encrypt('bot-token-123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('bot-token');
    expect(SecretCipher.isEncrypted(a)).toBe(true);
    expect(cipher.decrypt(a)).toBe('bot-token-123');
    expect(cipher.open(cipher.seal({ creds: { n: 1 } }))).toEqual({ creds: { n: 1 } });
  });

  it('refuses a tampered value and a wrong key', () => {
    const sealed = cipher.encrypt('secret');
    const raw = Buffer.from(sealed.slice('enc:v1:'.length), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => cipher.decrypt(`enc:v1:${raw.toString('base64')}`)).toThrow(/not the key/);
    expect(() => new SecretCipher(Buffer.alloc(32, 8)).decrypt(sealed)).toThrow(/not the key/);
    expect(() => new SecretCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('SecretFields', () => {
  const fields = new SecretFields(new SecretCipher(Buffer.alloc(32, 1)));

  it('seals only the named string fields and opens every sealed one', () => {
    const sealed = fields.seal({ token: 'abc', url: 'http://x', empty: '' }, ['token', 'empty', 'missing']);
    expect(sealed.url).toBe('http://x');
    expect(sealed.empty).toBe('');
    expect(SecretCipher.isEncrypted(sealed.token)).toBe(true);
    expect(fields.seal(sealed, ['token']).token).toBe(sealed.token);
    expect(fields.open(sealed)).toEqual({ token: 'abc', url: 'http://x', empty: '' });
  });
});

describe('loadSecretKey', () => {
  it('generates a key file with mode 600 once, then reads the same key', async () => {
    const dataDir = join(await tempDir(), 'nested');
    const first = await loadSecretKey({ dataDir });
    expect(first.origin).toBe('generated');
    expect((await stat(first.path!)).mode & 0o777).toBe(0o600);
    const second = await loadSecretKey({ dataDir });
    expect(second.origin).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('prefers OMNI_SECRET_KEY in hex or base64 and rejects a short one', async () => {
    const dataDir = await tempDir();
    const hex = 'ab'.repeat(32);
    expect((await loadSecretKey({ envKey: hex, dataDir })).key.toString('hex')).toBe(hex);
    expect((await loadSecretKey({ envKey: Buffer.alloc(32, 3).toString('base64'), dataDir })).key).toEqual(Buffer.alloc(32, 3));
    await expect(loadSecretKey({ envKey: 'short', dataDir })).rejects.toThrow(/OMNI_SECRET_KEY must be 32 random bytes/);
  });

  it('tightens a key file that others can read and refuses a corrupt one', async () => {
    const dataDir = await tempDir();
    const path = join(dataDir, 'secret.key');
    await writeFile(path, 'cd'.repeat(32), { mode: 0o644 });
    await loadSecretKey({ dataDir });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await writeFile(path, 'nope');
    await expect(loadSecretKey({ dataDir })).rejects.toThrow(/secret\.key must be 32 random bytes/);
    expect(await readFile(path, 'utf8')).toBe('nope');
  });
});
