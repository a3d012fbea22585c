import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type OmniServices } from '@omni/plugin-sdk';
import { startTestKernel, type TestKernel } from '@omni/plugin-sdk/testing';

const TOKEN = 'acme-live-0123456789-Q7Z9';

describe('plugin-contributed settings', () => {
  let tk: TestKernel;
  let settings: OmniServices['settings'] | undefined;

  const acme = definePlugin({
    id: 'acme-sync',
    version: '1.0.0',
    kind: 'extension',
    compat: { sdk: '^1.0.0' },
    services: ['settings'],
    settings: [
      { key: 'api_token', valueType: 'secret', description: 'Token of the ACME API' },
      { key: 'poll_ms', valueType: 'integer', description: 'Polling interval', default: 1_000, schema: z.number().int().min(100) },
    ],
    setup: ({ services }) => {
      settings = services.settings;
    },
  });
  const broken = definePlugin({
    id: 'broken-settings',
    version: '1.0.0',
    kind: 'extension',
    compat: { sdk: '^1.0.0' },
    settings: [{ key: 'level', valueType: 'integer', description: 'x', default: 99, schema: z.number().max(10) }],
    setup: () => {
      throw new Error('setup must not run for a plugin with invalid settings');
    },
  });

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [acme, broken] });
  });
  afterAll(async () => {
    await tk?.stop();
  });

  it('lists them in the settings schema under plugin.<id>, with the plugin as owner and category', async () => {
    const schema = await tk.http.get('/api/v2/settings/schema');
    expect(schema.status).toBe(200);
    const items = schema.body.items as Array<{ key: string }>;
    expect(items.map((i) => i.key)).toEqual(expect.arrayContaining(['plugin.acme-sync.api_token', 'plugin.acme-sync.poll_ms', 'setup.completed']));
    expect(items.find((i) => i.key === 'plugin.acme-sync.api_token')).toMatchObject({ isSecret: true, isRequired: true, owner: 'acme-sync', category: 'acme-sync' });
    expect(items.find((i) => i.key === 'plugin.acme-sync.poll_ms')).toMatchObject({ default: 1_000, schema: { type: 'integer', minimum: 100 } });
    expect(schema.body.schema.properties).toHaveProperty(['plugin.acme-sync.poll_ms']);
  });

  it('rejects a plugin whose settings are invalid, before its setup runs', async () => {
    const info = (await tk.http.get('/api/v2/plugins/broken-settings')).body;
    expect(info).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_INVALID_MANIFEST' } });
    expect(info.error.message).toContain('plugin.broken-settings.level');
    expect((await tk.http.get('/api/v2/settings/plugin.broken-settings.level')).status).toBe(404);
  });

  it('validates values with the plugin schema, hands them to the plugin (secrets in clear) and announces changes', async () => {
    expect(settings).toBeDefined();
    expect(await settings!.get('poll_ms')).toBe(1_000);

    const changed = tk.events.waitFor('settings.changed', (e) => e.payload.key === 'plugin.acme-sync.poll_ms');
    const tooFast = await tk.http.request('PUT', '/api/v2/settings/plugin.acme-sync.poll_ms', { body: { value: 50 } });
    expect(tooFast.status).toBe(400);
    expect(tooFast.body.error.code).toBe('VALIDATION_ERROR');
    expect((await tk.http.request('PUT', '/api/v2/settings/plugin.acme-sync.poll_ms', { body: { value: 250 } })).status).toBe(200);
    expect((await changed).payload).toEqual({ key: 'plugin.acme-sync.poll_ms', reset: false });
    expect(await settings!.get('poll_ms')).toBe(250);
    expect(await tk.kernel.settings.get('plugin.acme-sync.poll_ms')).toBe(250);

    const put = await tk.http.request('PUT', '/api/v2/settings/plugin.acme-sync.api_token', { body: { value: TOKEN, reason: 'rotated' } });
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(TOKEN);
    expect(await settings!.get('api_token')).toBe(TOKEN);
    await expect(settings!.get('not_declared')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
