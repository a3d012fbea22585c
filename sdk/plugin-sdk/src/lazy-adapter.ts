import type { ChannelAdapter } from './channel.js';

type AdapterMethod = Exclude<keyof ChannelAdapter, 'connect' | 'disconnect' | 'send'>;

/**
 * A channel adapter whose implementation, and the platform library it pulls in, is loaded on first
 * use: a channel plugin no instance uses then costs no memory and no start-up time (discord.js and
 * Baileys each weigh tens of megabytes). List the optional methods the implementation has, so the
 * kernel's capability checks see them before it loads (a test should compare the list with the
 * implementation's methods).
 */
export function lazyAdapter<TConfig>(load: () => Promise<ChannelAdapter<TConfig>>, optional: readonly AdapterMethod[]): ChannelAdapter<TConfig> {
  let loading: Promise<ChannelAdapter<TConfig>> | undefined;
  const implementation = () =>
    (loading ??= load().catch((err: unknown) => {
      // A failed load (say, a missing native dependency) is tried again next time.
      loading = undefined;
      throw err;
    }));
  const adapter: Record<string, unknown> = {};
  for (const method of ['connect', 'disconnect', 'send', ...optional] as const) {
    adapter[method] = async (...args: unknown[]) => {
      const impl = (await implementation()) as unknown as Record<string, (...a: unknown[]) => unknown>;
      const fn = impl[method];
      if (typeof fn !== 'function') throw new Error(`the adapter implementation has no '${method}' method, but the lazy adapter lists it`);
      return fn.apply(impl, args);
    };
  }
  return adapter as unknown as ChannelAdapter<TConfig>;
}
