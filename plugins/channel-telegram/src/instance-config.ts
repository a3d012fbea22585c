import { z } from 'zod';

/** Telegram's own API server; override it for a local Bot API server, a proxy or a test fake. */
export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** Each Telegram instance's channelConfig. `botToken` and `webhookSecret` are secret fields. */
export const telegramInstanceConfig = z
  .object({
    /** The token @BotFather gives: `<bot id>:<secret>`. */
    botToken: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token looks like 123456789:AA...'),
    /** Base URL of the Bot API server, without a trailing slash. */
    apiRoot: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'apiRoot must be http(s)')
      .transform((u) => u.replace(/\/+$/, ''))
      .default(DEFAULT_API_ROOT),
    /** `polling` (default) needs no public URL; `webhook` has Telegram POST updates to this hub. */
    mode: z.enum(['polling', 'webhook']).default('polling'),
    /** Webhook mode: the public base URL of this hub; Telegram calls `<publicUrl>/api/v2/webhooks/telegram/<instanceId>`. */
    publicUrl: z.string().url().optional(),
    /** Webhook mode: sent by Telegram in `X-Telegram-Bot-Api-Secret-Token`; 1-256 of A-Z, a-z, 0-9, `_`, `-`. */
    webhookSecret: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'use 16-256 characters of A-Z, a-z, 0-9, _ and -').optional(),
    /** How long one getUpdates long poll is held, in seconds. */
    pollTimeoutSeconds: z.number().int().min(0).max(50).default(30),
    /** Drop updates Telegram queued while the instance was off, instead of answering them. */
    dropPendingUpdates: z.boolean().default(false),
    /** Reconnect backoff: first delay and ceiling, in ms (exponential, each wait between half and all of the step). */
    reconnect: z
      .object({ initialDelayMs: z.number().int().positive().default(1_000), maxDelayMs: z.number().int().positive().default(60_000) })
      .default({ initialDelayMs: 1_000, maxDelayMs: 60_000 }),
    /** A send answered 429 with a retry_after up to this many seconds is retried once; longer ones fail with retryAfterMs. */
    maxInlineRetryAfterSeconds: z.number().int().min(0).max(60).default(3),
  })
  .superRefine((c, ctx) => {
    if (c.mode !== 'webhook') return;
    if (!c.publicUrl) ctx.addIssue({ code: 'custom', path: ['publicUrl'], message: 'webhook mode needs publicUrl, the base URL Telegram can reach' });
    if (!c.webhookSecret) ctx.addIssue({ code: 'custom', path: ['webhookSecret'], message: 'webhook mode needs webhookSecret' });
  });
export type TelegramInstanceConfig = z.output<typeof telegramInstanceConfig>;
