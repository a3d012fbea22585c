import { z } from 'zod';

/** Each whatsapp-baileys instance's channelConfig. Credentials are not config: they live in the encrypted session store. */
export const baileysInstanceConfig = z
  .object({
    /** The account's phone number (E.164 or digits); needed to link with a pairing code. */
    phoneNumber: z
      .string()
      .regex(/^\+?\d{7,15}$/, 'phoneNumber must be digits in international format, e.g. +4915123456789')
      .optional(),
    /** Link by an 8-character pairing code typed on the phone instead of scanning a QR. */
    usePairingCode: z.boolean().default(false),
    /** How long each QR code lives before the next one replaces it; after the last one, pairing times out. */
    qrTimeoutMs: z.number().int().min(1_000).max(300_000).default(60_000),
    /** Import the history WhatsApp pushes on first link. Off: history is only fetched when asked for (`POST /instances/:id/sync`). History is never routed to an agent. */
    syncHistory: z.boolean().default(false),
    /** Show the account as online while connected (it silences notifications on the phone). */
    markOnline: z.boolean().default(false),
    reconnect: z
      .object({
        /** Delay before the first reconnect attempt; doubles per attempt, with jitter. */
        initialDelayMs: z.number().int().min(100).max(60_000).default(2_000),
        /** The longest wait between attempts. */
        maxDelayMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
        /** Give up after this many attempts in a row (0: never). */
        maxAttempts: z.number().int().min(0).max(10_000).default(0),
      })
      .prefault({}),
    /** Another WhatsApp Web endpoint (a proxy, or the test kit's fake server). Default: WhatsApp's own. */
    websocketUrl: z
      .string()
      .regex(/^wss?:\/\/[^\s]+$/, 'websocketUrl must be a ws:// or wss:// URL')
      .optional(),
  })
  .refine((c) => !c.usePairingCode || c.phoneNumber !== undefined, { message: 'usePairingCode needs phoneNumber', path: ['phoneNumber'] });

export type BaileysInstanceConfig = z.output<typeof baileysInstanceConfig>;
