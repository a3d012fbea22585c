import type { EventBus } from './events.js';
import type { Hooks } from './hooks.js';
import type { Logger } from './logger.js';

/** A small persistent store, private to one plugin. Values must survive JSON. */
export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Entries whose key starts with `prefix`, in key order. */
  list<T = unknown>(prefix?: string): Promise<Array<{ key: string; value: T }>>;
  deletePrefix(prefix: string): Promise<number>;
}

/**
 * The services a plugin can ask for, by name. A plugin lists the names it needs in
 * `services` and its setup receives exactly those. The kernel scopes each one to the
 * plugin (its logger is tagged, its hooks and subscriptions end when it stops, its
 * store is its own). Plugins that provide services add them by declaration merging.
 */
export interface OmniServices {
  logger: Logger;
  hooks: Hooks;
  events: EventBus;
  kv: KeyValueStore;
  /**
   * Like `kv`, private to the plugin, but every value is encrypted at rest with AES-256-GCM
   * (key from `OMNI_SECRET_KEY` or the data directory's key file). For credentials and session keys.
   */
  secrets: KeyValueStore;
  /** The settings the plugin declared in `settings`, as an operator set them through the API. */
  settings: PluginSettings;
}

/** Read access to a plugin's own settings (`plugin.<id>.<key>` in the API). */
export interface PluginSettings {
  /**
   * The current value of one of the plugin's declared settings: the stored value, else the
   * declared default, else null. Secrets come in clear. An undeclared key throws NOT_FOUND.
   */
  get<T = unknown>(key: string): Promise<T>;
}

export type ServiceName = keyof OmniServices & string;
export const CORE_SERVICE_NAMES = ['logger', 'hooks', 'events', 'kv', 'secrets', 'settings'] as const satisfies readonly ServiceName[];
