import { REST, type RESTOptions } from 'discord.js';
import { Agent } from 'undici';
import type { DiscordInstanceConfig } from './instance-config.js';

/**
 * The REST client's own connection pool, from the undici copy @discordjs/rest uses. Without it,
 * requests go to the process-wide dispatcher, which another library's undici (another major
 * version, loaded first) may have installed: multipart uploads then fail inside undici.
 */
const agent = new Agent({ connect: { timeout: 30_000 } });

/**
 * REST options for an instance: its API base (`apiBaseUrl`), and a 429 that fails the call with
 * its retry-after instead of waiting inside discord.js, so the kernel sees the platform's answer.
 */
export function restOptions(config: DiscordInstanceConfig): Partial<RESTOptions> {
  return { ...(config.apiBaseUrl ? { api: config.apiBaseUrl } : {}), agent, rejectOnRateLimit: () => true, retries: 1, timeout: 30_000 };
}

export function createRest(config: DiscordInstanceConfig): REST {
  return new REST(restOptions(config)).setToken(config.botToken);
}
