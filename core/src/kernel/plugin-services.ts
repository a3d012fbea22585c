import { asFunction, asValue, type AwilixContainer } from 'awilix';
import { CORE_SERVICE_NAMES, type EventBus, type Logger, type OmniServices, type Subscription } from '@omni/plugin-sdk';
import type { HookBus } from './hook-bus.js';

/** What the root container must hold for plugin services to be built. */
export interface PluginServiceDeps {
  /** The kernel's logger; each plugin's `logger` is a child of it. */
  rootLogger: Logger;
  hookBus: HookBus;
  eventBus: EventBus;
  kvStores: { forPlugin(pluginId: string): OmniServices['kv'] };
  secretStores: { forPlugin(pluginId: string): OmniServices['secrets'] };
  /** Every setting by full key; a plugin reads its own under `plugin.<id>.`. */
  settings: { get(key: string): Promise<unknown> };
}

export const KNOWN_PLUGIN_SERVICES: ReadonlySet<string> = new Set(CORE_SERVICE_NAMES);

/** An event bus whose subscriptions all end when the plugin stops. */
function scopedEventBus(bus: EventBus, subscriptions: Set<Subscription>): EventBus {
  return {
    publish: (type, payload, options) => bus.publish(type, payload, options),
    subscribe: (async (filter: string, handler: never, options?: never) => {
      const sub = await (bus.subscribe as (f: string, h: never, o?: never) => Promise<Subscription>)(filter, handler, options);
      const tracked: Subscription = {
        unsubscribe: async () => {
          subscriptions.delete(tracked);
          await sub.unsubscribe();
        },
      };
      subscriptions.add(tracked);
      return tracked;
    }) as EventBus['subscribe'],
  };
}

export interface PluginScope {
  services: Partial<OmniServices>;
  /** Removes the plugin's hooks and subscriptions. */
  dispose(): Promise<void>;
}

/**
 * Builds the services one plugin declared, each scoped to it, in an awilix child scope.
 * Services it did not declare are never resolved, so it cannot reach them.
 */
export function createPluginScope(root: AwilixContainer<PluginServiceDeps>, pluginId: string, declared: readonly string[]): PluginScope {
  const scope = root.createScope<OmniServices>();
  const subscriptions = new Set<Subscription>();
  scope.register({
    logger: asFunction(({ rootLogger }: PluginServiceDeps) => rootLogger.child({ plugin: pluginId })).scoped(),
    hooks: asFunction(({ hookBus }: PluginServiceDeps) => hookBus.forOwner(pluginId)).scoped(),
    events: asFunction(({ eventBus }: PluginServiceDeps) => scopedEventBus(eventBus, subscriptions)).scoped(),
    kv: asFunction(({ kvStores }: PluginServiceDeps) => kvStores.forPlugin(pluginId)).scoped(),
    secrets: asFunction(({ secretStores }: PluginServiceDeps) => secretStores.forPlugin(pluginId)).scoped(),
    // From the root: the scope's own `settings` is this very registration.
    settings: asFunction(() => ({ get: (key: string) => root.cradle.settings.get(`plugin.${pluginId}.${key}`) }) as OmniServices['settings']).scoped(),
    pluginId: asValue(pluginId),
  });
  const services = Object.fromEntries(declared.map((name) => [name, scope.resolve(name)])) as Partial<OmniServices>;
  return {
    services,
    dispose: async () => {
      root.cradle.hookBus.removeOwner(pluginId);
      await Promise.allSettled([...subscriptions].map((s) => s.unsubscribe()));
      await scope.dispose();
    },
  };
}
