import type { IngressResult, WebhookRequest, WebhookResponse } from '@omni/plugin-sdk';
import { z } from 'zod';
import { normalizeDispatch, type InboundContext } from './inbound.js';
import { publicKeyFromHex, signatureValid } from './webhook-signature.js';

const refuse = (status: number, code: string, message: string, details?: unknown): WebhookResponse => ({
  status,
  body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
});

const RELAYED_EVENTS = ['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE', 'MESSAGE_REACTION_ADD', 'MESSAGE_REACTION_REMOVE'] as const;

/** What webhook ingress accepts: an interactions PING, or a gateway dispatch relayed as `{t, d}`. */
const webhookBody = z.union([
  z.object({ type: z.literal(1) }).loose(),
  z.object({
    t: z.enum(RELAYED_EVENTS),
    d: z.object({ channel_id: z.string().min(1) }).loose(),
  }),
]);

/**
 * `POST /api/v2/webhooks/discord/:instanceId` for instances with `ingress: 'webhook'`. Requests are
 * signed like Discord interactions (Ed25519 over timestamp + raw body with the application key).
 * A PING (type 1) is answered with `{type: 1}`, so the URL can be registered as the interactions
 * endpoint; relayed gateway events go through the same normalization as the gateway.
 */
export async function handleDiscordWebhook(
  request: WebhookRequest,
  ctx: InboundContext & { publicKeyHex: string | undefined; receive: InboundContext['instance']['receive'] },
): Promise<WebhookResponse> {
  if (request.method !== 'POST') return refuse(405, 'METHOD_NOT_ALLOWED', 'POST a signed event');
  if (ctx.instance.config.ingress !== 'webhook' || !ctx.publicKeyHex) return refuse(404, 'NOT_FOUND', 'this instance does not use webhook ingress');
  if (!signatureValid(publicKeyFromHex(ctx.publicKeyHex), request.headers, request.rawBody)) {
    return refuse(401, 'UNAUTHORIZED', 'missing, stale or wrong X-Signature-Ed25519 / X-Signature-Timestamp');
  }
  if (request.body === undefined) return refuse(400, 'BAD_REQUEST', 'send the event as application/json');
  const parsed = webhookBody.safeParse(request.body);
  if (!parsed.success) {
    return refuse(400, 'VALIDATION_ERROR', 'expected an interactions PING or a relayed gateway event {t, d}', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  if ('type' in parsed.data) return { status: 200, body: { type: 1 } };
  let messages;
  try {
    messages = await normalizeDispatch(parsed.data.t, parsed.data.d, ctx);
  } catch (err) {
    return refuse(400, 'VALIDATION_ERROR', `not a valid ${parsed.data.t} payload: ${(err as Error).message}`);
  }
  const results: IngressResult[] = [];
  for (const message of messages) results.push(await ctx.receive(message));
  return { status: 200, body: { received: true, eventIds: results.map((r) => r.eventId), duplicate: results.length > 0 && results.every((r) => r.duplicate) } };
}
