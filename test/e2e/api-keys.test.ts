import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOmniClient } from '@omni/client';
import { REPO_ROOT, spawnOmni, type OmniProcess } from '../support/spawn-omni.js';

const run = promisify(execFile);
const KEY_IN_BANNER = /\n\s{4}(omni_sk_[\w-]+)\n/;

describe('admin key bootstrap (real process)', () => {
  let dataDir: string;
  const running: OmniProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'omni-keys-'));
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates an admin key on the first start, prints it once, and never again', { timeout: 120_000 }, async () => {
    const first = await spawnOmni({ OMNI_DATA_DIR: dataDir, OMNI_API_KEY: undefined }, 90_000);
    running.push(first);
    const key = KEY_IN_BANNER.exec(first.stderr())?.[1];
    expect(key).toBeDefined();
    expect(first.logs.some((l) => JSON.stringify(l).includes(key!))).toBe(false);
    await expect(createOmniClient({ baseUrl: first.url }).plugins.list()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    await expect(createOmniClient({ baseUrl: first.url, apiKey: key }).plugins.list()).resolves.toMatchObject({ items: expect.any(Array) });
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    await first.stop();

    const second = await spawnOmni({ OMNI_DATA_DIR: dataDir, OMNI_API_KEY: undefined }, 90_000);
    running.push(second);
    expect(second.stderr()).not.toMatch(KEY_IN_BANNER);
    await expect(createOmniClient({ baseUrl: second.url, apiKey: key }).plugins.list()).resolves.toMatchObject({ items: expect.any(Array) });
    await second.stop();
  });

  it('`omni keys create --admin` makes another working admin key', { timeout: 120_000 }, async () => {
    const { stdout } = await run(process.execPath, ['--conditions=@omni/source', '--import', 'tsx', 'core/src/cli.ts', 'keys', 'create', '--admin', '--name', 'rescue'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OMNI_DATA_DIR: dataDir },
    });
    const key = /key \(shown once, store it now\): (\S+)/.exec(stdout)?.[1];
    expect(key).toMatch(/^omni_sk_/);
    const omni = await spawnOmni({ OMNI_DATA_DIR: dataDir, OMNI_API_KEY: undefined }, 90_000);
    running.push(omni);
    const keys = await fetch(`${omni.url}/api/v2/api-keys`, { headers: { authorization: `Bearer ${key}` } });
    expect(keys.status).toBe(200);
    const body = (await keys.json()) as { items: Array<{ name: string; isAdmin: boolean }> };
    expect(body.items.map((k) => k.name).sort()).toEqual(['admin (generated at first start)', 'rescue']);
    expect(JSON.stringify(body)).not.toContain(key);
  });
});
