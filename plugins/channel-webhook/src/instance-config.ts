import { z } from 'zod';

/** Each webhook instance's channelConfig. */
export const webhookInstanceConfig = z.object({
  /** Callers must send it in `x-webhook-secret`; outbound calls are signed with it. */
  secret: z.string().min(16, 'use a secret of at least 16 characters'),
  /** Where replies and sends are POSTed as JSON. */
  outboundUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), 'outboundUrl must be http(s)'),
  /** How long an outbound POST may take. */
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
});
export type WebhookInstanceConfig = z.output<typeof webhookInstanceConfig>;
