import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import type { SendResult } from '@omni/plugin-sdk';

/** A message that cannot go to Discord as asked (unreadable media, empty reaction); retrying will not help. */
export class NotSendable extends Error {
  override name = 'NotSendable';
}

export type SendFailure = Extract<SendResult, { ok: false }>['error'];

/**
 * Turns what discord.js threw into a send failure carrying Discord's reason: a 429 keeps its
 * retry-after, a 403 names the missing permission (`DISCORD_50013`), network trouble is retryable.
 */
export function toSendFailure(err: unknown): SendFailure {
  if (err instanceof NotSendable) return { code: 'NOT_SENDABLE', message: err.message, retryable: false };
  if (err instanceof RateLimitError) {
    return { code: 'RATE_LIMITED', message: `Discord rate limit on ${err.method} ${err.route}; retry after ${err.retryAfter} ms`, retryable: true, retryAfterMs: err.retryAfter };
  }
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' && err.code !== 0 ? `DISCORD_${err.code}` : `HTTP_${err.status}`;
    return { code, message: `Discord answered ${err.status}: ${err.message}`, retryable: err.status >= 500 };
  }
  if (err instanceof HTTPError) return { code: `HTTP_${err.status}`, message: `Discord answered ${err.status}: ${err.message}`, retryable: err.status >= 500 };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'NETWORK_ERROR', message: `could not reach Discord: ${message}`, retryable: true };
}

/** Runs a Discord call and reports its outcome as a SendResult instead of throwing. */
export async function attempt(run: () => Promise<string>): Promise<SendResult> {
  try {
    return { ok: true, externalId: await run() };
  } catch (err) {
    return { ok: false, error: toSendFailure(err) };
  }
}

/** True when Discord refused the token (REST 401, gateway close 4004, discord.js TokenInvalid). */
export function isAuthFailure(err: unknown): boolean {
  if (err instanceof DiscordAPIError || err instanceof HTTPError) return err.status === 401;
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 'TokenInvalid' || e?.message === 'Authentication failed';
}
