import { timingSafeEqual } from 'node:crypto';
import type { ChannelAdapter, ChannelInstance, WebhookRequest, WebhookResponse } from '@omni/plugin-sdk';
import { inboundPayload, toInboundMessage } from './inbound-payload.js';
import type { WebhookInstanceConfig } from './instance-config.js';
import { postOutbound } from './outbound-request.js';

const refuse = (status: number, code: string, message: string, details?: unknown): WebhookResponse => ({
  status,
  body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
});

function secretMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The webhook channel: inbound over HTTP POST, outbound as signed JSON POSTs. */
export function createWebhookAdapter(): ChannelAdapter<WebhookInstanceConfig> {
  const connected = new Map<string, ChannelInstance<WebhookInstanceConfig>>();
  const live = (instanceId: string) => {
    const instance = connected.get(instanceId);
    if (!instance) throw new Error(`webhook instance ${instanceId} is not connected`);
    return instance;
  };

  return {
    async connect(instance) {
      connected.set(instance.id, instance);
      instance.setStatus({ state: 'connected', account: { id: new URL(instance.config.outboundUrl).host } });
    },

    async disconnect(instanceId) {
      connected.delete(instanceId);
    },

    send: (instanceId, message) => {
      const instance = live(instanceId);
      return postOutbound(instance.id, instance.config, message);
    },

    async handleWebhook(instanceId: string, request: WebhookRequest): Promise<WebhookResponse> {
      const instance = connected.get(instanceId);
      if (request.method !== 'POST') return refuse(405, 'METHOD_NOT_ALLOWED', 'POST a JSON event');
      if (!instance) return refuse(503, 'SERVICE_UNAVAILABLE', 'this instance is disconnected; retry later');
      if (!secretMatches(instance.config.secret, request.headers['x-webhook-secret'])) return refuse(401, 'UNAUTHORIZED', 'missing or wrong x-webhook-secret');
      if (request.body === undefined) return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the event as application/json');
      const parsed = inboundPayload.safeParse(request.body);
      if (!parsed.success) {
        return refuse(400, 'VALIDATION_ERROR', 'invalid webhook event', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      }
      if (parsed.data.event === 'status') {
        await instance.reportDelivery({ externalId: parsed.data.data.messageId, status: parsed.data.data.status, error: parsed.data.data.error });
        return { status: 200, body: { received: true } };
      }
      const result = await instance.receive(toInboundMessage(parsed.data.data));
      return { status: 200, body: { received: true, eventId: result.eventId, duplicate: result.duplicate } };
    },
  };
}
