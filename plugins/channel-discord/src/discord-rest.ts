import { REST, type RESTOptions } from 'discord.js';
import type { DiscordInstanceConfig } from './instance-config.js';

/**
 * REST options for an instance: its API base (`apiBaseUrl`), and a 429 that fails the call with
 * its retry-after instead of waiting inside discord.js, so the kernel sees the platform's answer.
 */
export function restOptions(config: DiscordInstanceConfig): Partial<RESTOptions> {
  return { ...(config.apiBaseUrl ? { api: config.apiBaseUrl } : {}), rejectOnRateLimit: () => true, retries: 1, timeout: 30_000 };
}

export function createRest(config: DiscordInstanceConfig): REST {
  return new REST(restOptions(config)).setToken(config.botToken);
}
