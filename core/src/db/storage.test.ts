import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStorage } from './storage.js';

describe('resolveStorage', () => {
  it('defaults to <dataDir>/omni.db', () => {
    expect(resolveStorage(undefined, './data')).toEqual({ dialect: 'sqlite', path: join(resolve('./data'), 'omni.db') });
    expect(resolveStorage('', '/srv/omni')).toEqual({ dialect: 'sqlite', path: '/srv/omni/omni.db' });
  });

  it('recognises PostgreSQL URLs', () => {
    for (const url of ['postgres://u:p@db:5432/omni', 'postgresql://db/omni?sslmode=require']) {
      expect(resolveStorage(url, '/data')).toEqual({ dialect: 'postgresql', url });
    }
  });

  it('accepts sqlite:<path> and :memory:', () => {
    expect(resolveStorage('sqlite:/tmp/x.db', '/data')).toEqual({ dialect: 'sqlite', path: '/tmp/x.db' });
    expect(resolveStorage('sqlite:rel/x.db', '/data')).toEqual({ dialect: 'sqlite', path: resolve('rel/x.db') });
    expect(resolveStorage('sqlite::memory:', '/data')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    expect(resolveStorage(':memory:', '/data')).toEqual({ dialect: 'sqlite', path: ':memory:' });
  });

  it('rejects other schemes without echoing credentials', () => {
    expect(() => resolveStorage('mysql://root:secret@db/omni', '/data')).toThrow(/Unsupported database URL scheme "mysql:"/);
    expect(() => resolveStorage('mysql://root:secret@db/omni', '/data')).not.toThrow(/secret/);
    expect(() => resolveStorage('sqlite:', '/data')).toThrow(/needs a path/);
  });
});
