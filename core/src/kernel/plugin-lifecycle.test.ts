import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SDK_API_VERSION, definePlugin, type ChannelCapabilities } from '@omni/plugin-sdk';
import { startTestKernel, type TestKernel } from '@omni/plugin-sdk/testing';
import { importPlugins } from './plugin-discovery.js';

const caps: ChannelCapabilities = {
  content: { send: ['text'], receive: ['text'] },
  features: [],
  auth: ['token'],
  limits: { maxTextLength: 100, maxFileSize: 1000 },
  events: ['message.received'],
};

const extension = (id: string, extra: Partial<Parameters<typeof definePlugin>[0]> = {}) =>
  definePlugin({ id, version: '1.0.0', kind: 'extension', compat: { sdk: '^1.0.0' }, setup: () => ({}), ...(extra as object) });

const fakeChannel = (id: string, overrides: Record<string, unknown> = {}) =>
  definePlugin({
    id,
    version: '2.3.4',
    kind: 'channel',
    compat: { sdk: '^1.0.0' },
    channel: { id: id.replace('channel-', ''), name: id, description: 'test channel', instanceConfig: z.object({}) },
    capabilities: caps,
    setup: () => ({
      adapter: {
        connect: async (i) => i.setStatus({ state: 'connected' }),
        disconnect: async () => undefined,
        send: async () => ({ ok: true as const, externalId: 'x' }),
      },
    }),
    ...overrides,
  });

let tk: TestKernel | undefined;
afterEach(async () => {
  await tk?.stop();
  tk = undefined;
});

const plugin = async (id: string) => (await tk!.http.get(`/api/v2/plugins/${id}`)).body;

describe('plugin loading', () => {
  it('refuses an incompatible plugin, naming both versions, and stays up as degraded', async () => {
    let setupRan = false;
    tk = await startTestKernel({
      plugins: [fakeChannel('channel-good'), extension('from-the-future', { compat: { sdk: '^2.0.0' }, setup: () => void (setupRan = true) })],
    });
    const info = await plugin('from-the-future');
    expect(info).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_INCOMPATIBLE' } });
    expect(info.error.message).toContain('^2.0.0');
    expect(info.error.message).toContain(SDK_API_VERSION);
    expect(setupRan).toBe(false);
    const health = await tk.http.get('/api/v2/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks.plugins['from-the-future'].status).toBe('failed');
    expect((await plugin('channel-good')).status).toBe('running');
  });

  it('marks a plugin whose setup throws as failed with the error', async () => {
    tk = await startTestKernel({
      plugins: [
        extension('explodes', {
          setup: () => {
            throw new Error('kaboom');
          },
        }),
        extension('fine'),
      ],
    });
    expect(await plugin('explodes')).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_SETUP_FAILED', message: expect.stringContaining('kaboom') } });
    expect((await plugin('fine')).status).toBe('running');
    expect((await tk.http.get('/api/v2/health')).body.status).toBe('degraded');
  });

  it('times out a hung setup and keeps serving', async () => {
    tk = await startTestKernel({ plugins: [extension('hangs', { setup: () => new Promise(() => undefined) }), extension('fine')], kernel: { setupTimeoutMs: 200 } });
    expect(await plugin('hangs')).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_SETUP_TIMEOUT' } });
    expect((await plugin('fine')).status).toBe('running');
    expect((await tk.http.get('/api/v2/health')).body.status).toBe('degraded');
  });

  it('validates config before running any plugin code', async () => {
    let setupRan = false;
    tk = await startTestKernel({
      plugins: [extension('configured', { config: z.object({ apiUrl: z.string().url() }), setup: () => void (setupRan = true) })],
      config: { configured: { apiUrl: 'not a url' } },
    });
    expect(await plugin('configured')).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_INVALID_CONFIG', details: [expect.objectContaining({ path: 'apiUrl' })] } });
    expect(setupRan).toBe(false);
  });

  it('rejects invalid manifests, unknown services, duplicate ids and dependency cycles', async () => {
    tk = await startTestKernel({
      plugins: [
        { id: 'Not Kebab', version: 'one', kind: 'extension', compat: { sdk: '^1.0.0' }, setup: () => ({}) },
        extension('greedy', { services: ['logger', 'database-root'] as never }),
        extension('twin'),
        extension('twin'),
        extension('chicken', { dependsOn: ['egg'] }),
        extension('egg', { dependsOn: ['chicken'] }),
        extension('orphan', { dependsOn: ['missing'] }),
      ],
    });
    expect((await plugin('Not Kebab')).error.code).toBe('PLUGIN_INVALID_MANIFEST');
    expect((await plugin('greedy')).error).toMatchObject({ code: 'PLUGIN_UNKNOWN_SERVICE', message: expect.stringContaining('database-root') });
    expect((await plugin('twin')).status).toBe('running');
    const list = (await tk.http.get('/api/v2/plugins')).body.items as Array<{ id: string; error?: { code: string } }>;
    expect(list.find((p) => p.id.startsWith('twin@'))?.error?.code).toBe('PLUGIN_DUPLICATE_ID');
    expect((await plugin('chicken')).error.code).toBe('PLUGIN_DEPENDENCY_CYCLE');
    expect((await plugin('orphan')).error.code).toBe('PLUGIN_MISSING_DEPENDENCY');
  });

  it('refuses a channel whose capabilities promise methods its adapter lacks', async () => {
    tk = await startTestKernel({ plugins: [fakeChannel('channel-liar', { capabilities: { ...caps, features: ['edit', 'typing'] } })] });
    const info = await plugin('channel-liar');
    expect(info).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_CAPABILITY_MISMATCH' } });
    expect(info.error.message).toContain('edit()');
    expect(info.error.message).toContain('typing()');
    expect((await tk.http.get('/api/v2/channels')).body.items).toEqual([]);
  });

  it('gives setup exactly the services it declared, scoped to the plugin', async () => {
    let received: string[] = [];
    tk = await startTestKernel({
      plugins: [
        extension('modest', {
          services: ['logger', 'kv'],
          setup: async ({ services }: { services: Record<string, unknown> }) => {
            received = Object.keys(services).sort();
            const kv = services.kv as { set(k: string, v: unknown): Promise<void>; get(k: string): Promise<unknown> };
            await kv.set('greeting', { hello: 'world' });
            expect(await kv.get('greeting')).toEqual({ hello: 'world' });
          },
        }),
      ],
    });
    expect((await plugin('modest')).status).toBe('running');
    expect(received).toEqual(['kv', 'logger']);
  });

  it('starts plugins after their dependencies and stops them in reverse order', async () => {
    const log: string[] = [];
    const tracked = (id: string, dependsOn: string[] = []) =>
      extension(id, { dependsOn, setup: () => (log.push(`start:${id}`), { stop: () => void log.push(`stop:${id}`) }) });
    tk = await startTestKernel({ plugins: [tracked('top', ['middle']), tracked('middle', ['base']), tracked('base')] });
    await tk.stop();
    tk = undefined;
    expect(log).toEqual(['start:base', 'start:middle', 'start:top', 'stop:top', 'stop:middle', 'stop:base']);
  });
});

describe('enabling and disabling at runtime', () => {
  it('disables a plugin with its dependents, removes its hooks, and enables them again', async () => {
    let hookCalls = 0;
    tk = await startTestKernel({
      plugins: [
        extension('base', { services: ['hooks'], setup: ({ services }: { services: { hooks: { hook: Function } } }) => void services.hooks.hook('server.ready', () => void hookCalls++) }),
        extension('dependent', { dependsOn: ['base'] }),
      ],
    });
    hookCalls = 0; // server.ready already ran once at start
    const off = await tk.http.post('/api/v2/plugins/base/disable');
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: 'base', status: 'disabled', enabled: false });
    expect((await plugin('dependent')).status).toBe('stopped');
    await tk.hooks.callSerial('server.ready', { url: 'x' });
    expect(hookCalls).toBe(0);

    const on = await tk.http.post('/api/v2/plugins/base/enable');
    expect(on.body).toMatchObject({ status: 'running', enabled: true });
    expect((await plugin('dependent')).status).toBe('running');
    await tk.hooks.callSerial('server.ready', { url: 'x' });
    expect(hookCalls).toBe(1);
    expect((await tk.http.post('/api/v2/plugins/nope/disable')).status).toBe(404);
  });

  it('remembers a disabled plugin across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omni-persist-'));
    const options = { plugins: [fakeChannel('channel-sticky')], kernel: { databaseUrl: `sqlite:${join(dir, 'omni.db')}` } };
    try {
      tk = await startTestKernel(options);
      await tk.kernel.plugins.disable('channel-sticky');
      await tk.stop();
      tk = await startTestKernel(options);
      expect(await plugin('channel-sticky')).toMatchObject({ status: 'disabled', enabled: false });
      expect((await tk.http.get('/api/v2/channels')).body.items).toEqual([]);
    } finally {
      await tk?.stop();
      tk = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('discovery', () => {
  it('imports plugins from paths and reports modules that fail to import', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omni-plugins-'));
    try {
      await writeFile(join(dir, 'good.mjs'), "export default { id: 'from-path', version: '0.1.0', kind: 'extension', compat: { sdk: '^1.0.0' }, setup() { return {}; } };\n");
      await writeFile(join(dir, 'broken.mjs'), 'export default {;\n');
      const candidates = await importPlugins([
        { spec: './good.mjs', source: './good.mjs' },
        { spec: './broken.mjs', source: './broken.mjs' },
        { spec: '@omni/does-not-exist', source: '@omni/does-not-exist' },
      ], dir);
      expect(candidates[0]).toMatchObject({ definition: { id: 'from-path' } });
      expect(candidates[1]?.loadError).toBeTruthy();
      expect(candidates[2]?.loadError).toBeTruthy();
      tk = await startTestKernel({ plugins: [] });
      await tk.kernel.plugins.load(candidates);
      await tk.kernel.plugins.startAll();
      expect((await plugin('from-path')).status).toBe('running');
      expect(await plugin('.%2Fbroken.mjs')).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_LOAD_FAILED' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
