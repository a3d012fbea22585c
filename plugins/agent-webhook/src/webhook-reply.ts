import { AgentCallError, mediaSchema, type AgentReply } from '@omni/plugin-sdk';
import { z } from 'zod';

/** The only reply shape a webhook agent may answer. */
const replySchema = z.object({ text: z.string(), media: z.array(mediaSchema).optional(), actions: z.array(z.unknown()).optional() });

export function parseWebhookReply(body: unknown): AgentReply {
  const parsed = replySchema.safeParse(body);
  if (!parsed.success) {
    throw new AgentCallError('BAD_RESPONSE', `agent reply is not {text, media?, actions?}: ${z.prettifyError(parsed.error)}`, { retryable: false });
  }
  const { text, media, actions } = parsed.data;
  return { text, ...(media ? { media } : {}), ...(actions ? { actions } : {}) };
}
