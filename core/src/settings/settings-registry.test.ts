import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { expectOmniError } from '../testing/expect-omni-error.js';
import { CORE_SETTINGS } from './core-settings.js';
import { pluginSettingDefinitions, registerPluginSettings } from './plugin-settings.js';
import { SettingsRegistry } from './settings-registry.js';
import { definePlugin } from '@omni/plugin-sdk';

const plugin = (settings: Parameters<typeof definePlugin>[0]['settings']) =>
  definePlugin({ id: 'demo', version: '1.0.0', kind: 'extension', compat: { sdk: '^1.0.0' }, settings, setup: () => undefined });

describe('settings registry', () => {
  it('declares every core setting with a default that passes its own schema', () => {
    const registry = new SettingsRegistry();
    registry.register(CORE_SETTINGS);
    expect(registry.list().map((d) => d.key)).toEqual(CORE_SETTINGS.map((d) => d.key).sort());
    expect(registry.get('setup.completed')).toMatchObject({ valueType: 'boolean', default: false, owner: 'core', secret: false });
  });

  it('namespaces plugin settings under plugin.<id> and marks secrets', () => {
    const defs = pluginSettingDefinitions('demo', [
      { key: 'token', valueType: 'secret', description: 'x' },
      { key: 'mode', valueType: 'string', description: 'y', secret: true, category: 'demo-things' },
    ]);
    expect(defs).toEqual([
      { key: 'plugin.demo.token', valueType: 'secret', category: 'demo', description: 'x', secret: true, owner: 'demo' },
      { key: 'plugin.demo.mode', valueType: 'string', category: 'demo-things', description: 'y', secret: true, owner: 'demo' },
    ]);
  });

  it('registers all or none: a duplicate key or a default failing its schema rejects the whole set', async () => {
    const registry = new SettingsRegistry();
    registry.register(CORE_SETTINGS);
    expect(() => registry.register(CORE_SETTINGS.slice(0, 1))).toThrow(/already declared by core/);

    const bad = registerPluginSettings(registry, plugin([
      { key: 'fine', valueType: 'integer', description: 'ok', default: 1 },
      { key: 'broken', valueType: 'integer', description: 'bad default', default: 5, schema: z.number().max(3) },
    ]));
    expect(bad).toMatchObject({ code: 'PLUGIN_INVALID_MANIFEST' });
    expect(bad?.message).toMatch(/plugin\.demo\.broken/);
    expect(registry.find('plugin.demo.fine')).toBeUndefined();

    expect(registerPluginSettings(registry, plugin([{ key: 'fine', valueType: 'integer', description: 'ok', default: 1 }]))).toBeUndefined();
    expect(registry.get('plugin.demo.fine').default).toBe(1);
    expect(registerPluginSettings(registry, plugin([{ key: 'fine', valueType: 'integer', description: 'again' }]))?.message).toMatch(/already declared by demo/);

    await expectOmniError(Promise.resolve().then(() => registry.get('plugin.demo.nope')), 'NOT_FOUND');
  });
});
