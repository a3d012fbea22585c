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
}

export type ServiceName = keyof OmniServices & string;
export const CORE_SERVICE_NAMES = ['logger', 'hooks', 'events', 'kv'] as const satisfies readonly ServiceName[];
