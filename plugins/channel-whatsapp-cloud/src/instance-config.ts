import { z } from 'zod';

/** Each WhatsApp Cloud API instance's channelConfig. */
export const whatsAppCloudInstanceConfig = z.object({
  /** The business phone number's id in the Meta app (WhatsApp > API Setup), not the phone number itself. */
  phoneNumberId: z.string().regex(/^\d{5,25}$/, 'phoneNumberId is the numeric id Meta shows under API Setup, not the phone number'),
  /** A system user access token with whatsapp_business_messaging permission. */
  accessToken: z.string().min(20, 'accessToken looks too short for a Meta access token'),
  /** The Meta app's secret (App settings > Basic): webhook notifications are signed with it. */
  appSecret: z.string().min(8),
  /** Any string you choose; enter the same one as the webhook's verify token in the Meta app. */
  verifyToken: z.string().min(8, 'use a verify token of at least 8 characters'),
  graphBaseUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'graphBaseUrl must be http(s)')
    .transform((u) => u.replace(/\/+$/, ''))
    .default('https://graph.facebook.com'),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'apiVersion looks like v23.0').default('v23.0'),
  /**
   * Refuse free-form sends to a customer who has not written within 24 hours, before asking Meta
   * (Meta would refuse them with error 131047). Turn off when another system also receives this
   * number's messages, so Omni cannot know when each customer last wrote.
   */
  enforceMessagingWindow: z.boolean().default(true),
  /** How long one Graph API request may take. */
  timeoutMs: z.number().int().positive().max(120_000).default(15_000),
});
export type WhatsAppCloudConfig = z.output<typeof whatsAppCloudInstanceConfig>;

export const WHATSAPP_CLOUD_SECRET_FIELDS = ['accessToken', 'appSecret', 'verifyToken'] as const;
