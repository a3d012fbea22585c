import { AgentCallError, mediaSchema, type AgentReply } from '@omni/plugin-sdk';
import { z } from 'zod';

const extras = { media: z.array(mediaSchema).optional(), actions: z.array(z.unknown()).optional() };

/** `{text}` is the contract; `response_text`, `response` and `message` are what older agents answered. */
const replySchema = z.union([
  z.object({ text: z.string(), ...extras }),
  z.object({ response_text: z.string(), ...extras }).transform(({ response_text, ...rest }) => ({ text: response_text, ...rest })),
  z.object({ response: z.string(), ...extras }).transform(({ response, ...rest }) => ({ text: response, ...rest })),
  z.object({ message: z.string(), ...extras }).transform(({ message, ...rest }) => ({ text: message, ...rest })),
]);

export function parseChatReply(body: unknown): AgentReply {
  const parsed = replySchema.safeParse(body);
  if (!parsed.success) {
    throw new AgentCallError('BAD_RESPONSE', `agent reply is not {text, media?, actions?}: ${JSON.stringify(body)?.slice(0, 200)}`, { retryable: false });
  }
  const { text, media, actions } = parsed.data;
  return { text, ...(media ? { media } : {}), ...(actions ? { actions } : {}) };
}
