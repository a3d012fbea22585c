import { z } from 'zod';

/** One message in `value.messages[]`; its type-specific part is read by `inbound-message.ts`. */
export const webhookMessage = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().optional(),
  type: z.string().min(1),
  context: z.object({ id: z.string().optional(), from: z.string().optional() }).optional(),
});
export type WebhookMessage = z.infer<typeof webhookMessage>;

const webhookError = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});

/** One status in `value.statuses[]`: what happened to a message the business sent. */
export const webhookStatus = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(webhookError).optional(),
});
export type WebhookStatus = z.infer<typeof webhookStatus>;

/** `value` of a change with `field: "messages"`. */
export const messagesChangeValue = z.object({
  metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string().optional() }),
  contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string().optional() }).optional() })).optional(),
  messages: z.array(webhookMessage).optional(),
  statuses: z.array(webhookStatus).optional(),
  errors: z.array(webhookError).optional(),
});
export type MessagesChangeValue = z.infer<typeof messagesChangeValue>;

/** The notification Meta POSTs to the webhook. Only `messages` changes are read. */
export const webhookNotification = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({ id: z.string().optional(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })),
});
