import { z } from 'zod';

/** Each Discord instance's channelConfig. `botToken` is a secret: stored encrypted, never shown. */
export const discordInstanceConfig = z
  .object({
    /** The bot token from the Discord developer portal (Bot -> Reset Token). */
    botToken: z.string().min(1, 'botToken is required'),
    /**
     * The REST API base without the version, default `https://discord.com/api` (discord.js adds `/v10`).
     * Point it at a proxy or a local fake; the gateway address is read from `GET /gateway/bot` there.
     */
    apiBaseUrl: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'apiBaseUrl must be http(s)')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /**
     * `gateway` (default): the bot holds a gateway connection and receives messages, edits, deletes and
     * reactions. `webhook`: no gateway; events arrive at `POST /api/v2/webhooks/discord/:instanceId`,
     * signed with Ed25519 like Discord interactions (see `publicKey`).
     */
    ingress: z.enum(['gateway', 'webhook']).default('gateway'),
    /** The application's public key (hex, from the developer portal): verifies webhook-ingress signatures. */
    publicKey: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'publicKey is the 64-hex-digit application public key')
      .optional(),
    /** Gateway intents. Message content is a privileged intent: enable it in the developer portal too. */
    intents: z
      .object({
        guildMessages: z.boolean().default(true),
        directMessages: z.boolean().default(true),
        messageContent: z.boolean().default(true),
        reactions: z.boolean().default(true),
      })
      .default({ guildMessages: true, directMessages: true, messageContent: true, reactions: true }),
    /** Messages written by other bots are ignored unless this is true (the instance's own always are). */
    acceptBotMessages: z.boolean().default(false),
    /** Reconnect backoff after the gateway is lost for good: base delay, doubled per attempt up to the maximum, with jitter. */
    reconnect: z
      .object({
        baseDelayMs: z.number().int().min(50).max(60_000).default(1_000),
        maxDelayMs: z.number().int().min(100).max(600_000).default(60_000),
      })
      .default({ baseDelayMs: 1_000, maxDelayMs: 60_000 }),
  })
  .superRefine((c, ctx) => {
    if (c.ingress === 'webhook' && !c.publicKey) ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'webhook ingress needs publicKey to verify signatures' });
  });
export type DiscordInstanceConfig = z.output<typeof discordInstanceConfig>;
