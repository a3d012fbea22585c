import { OmniError, type ChannelAdapter, type ChannelInstance, type KeyValueStore, type SendResult } from '@omni/plugin-sdk';
import { createGraphClient, GraphApiError, type GraphClient } from './graph-client.js';
import type { WhatsAppCloudConfig } from './instance-config.js';
import { MessagingWindow } from './messaging-window.js';
import { createMediaResolver } from './outbound-media.js';
import { toGraphMessage, waIdOf } from './outbound-payload.js';
import { INVALID_TOKEN_CODE, outsideWindowFailure, sendFailureOf } from './send-failure.js';
import { answerVerification, refuse, takeNotification } from './webhook-handler.js';

interface Connection {
  instance: ChannelInstance<WhatsAppCloudConfig>;
  graph: GraphClient;
}

const tokenRejected = (err: unknown) => err instanceof GraphApiError && (err.code === INVALID_TOKEN_CODE || err.status === 401);

/** The WhatsApp Business Cloud API channel: Graph API over fetch out, signed webhooks in. */
export function createWhatsAppCloudAdapter(deps: { kv: KeyValueStore }): ChannelAdapter<WhatsAppCloudConfig> {
  const connections = new Map<string, Connection>();
  const window = new MessagingWindow(deps.kv);

  const authFailed = (conn: Connection, err: GraphApiError) =>
    conn.instance.setStatus({ state: 'error', error: { code: 'AUTH_FAILED', message: `Meta refused the access token: ${err.message}`, retryable: false } });

  return {
    /** Checks the token and number with `GET /{phone_number_id}`; a refusal is a status, never a retry loop. */
    async connect(instance) {
      const graph = createGraphClient(instance.config);
      const conn = { instance, graph };
      // Known even when the check fails, so Meta's webhook handshake can still be answered.
      connections.set(instance.id, conn);
      try {
        const info = await graph.get<{ id?: string; verified_name?: string; display_phone_number?: string }>(`${instance.config.phoneNumberId}?fields=verified_name,display_phone_number`);
        instance.setStatus({ state: 'connected', account: { id: instance.config.phoneNumberId, name: info.verified_name ?? info.display_phone_number } });
      } catch (err) {
        if (tokenRejected(err)) return authFailed(conn, err as GraphApiError);
        const message = err instanceof Error ? err.message : String(err);
        instance.setStatus({ state: 'error', error: { code: err instanceof GraphApiError ? 'PLATFORM_ERROR' : 'NETWORK_ERROR', message: `could not check the phone number with Meta: ${message}`, retryable: true } });
      }
    },

    async disconnect(instanceId) {
      connections.delete(instanceId);
    },

    async send(instanceId, message): Promise<SendResult> {
      const conn = connections.get(instanceId);
      if (!conn) return { ok: false, error: { code: 'NOT_CONNECTED', message: `WhatsApp Cloud instance ${instanceId} is not connected`, retryable: true } };
      const { config } = conn.instance;
      const waId = waIdOf(message.to);
      if (!/^\d{5,20}$/.test(waId)) return { ok: false, error: { code: 'INVALID_RECIPIENT', message: `'${message.to}' is not a WhatsApp number (digits with country code, e.g. 15551234567)`, retryable: false } };
      if (config.enforceMessagingWindow) {
        const { open, lastInboundAt } = await window.check(instanceId, waId);
        if (!open) {
          return outsideWindowFailure(
            `outside the 24-hour customer service window: ${lastInboundAt ? `the customer last wrote at ${lastInboundAt.toISOString()}` : 'the customer has not written to this number'}; only approved templates can be sent until they write again`,
          );
        }
      }
      try {
        const body = await toGraphMessage(message, createMediaResolver(conn.graph, config.phoneNumberId));
        const res = await conn.graph.post<{ messages?: Array<{ id?: string }> }>(`${config.phoneNumberId}/messages`, body);
        const externalId = res.messages?.[0]?.id;
        if (!externalId) return { ok: false, error: { code: 'PLATFORM_ERROR', message: 'Meta accepted the message but returned no message id', retryable: false } };
        return { ok: true, externalId };
      } catch (err) {
        if (tokenRejected(err)) authFailed(conn, err as GraphApiError);
        return sendFailureOf(err);
      }
    },

    /**
     * Marks customer messages as read (blue ticks) with `{status: 'read', message_id}`. WhatsApp
     * marks every earlier message of the chat read too, so one call per chat is enough: the
     * first ref of each chat, which the kernel passes newest first.
     */
    async markRead(instanceId, refs) {
      const conn = connections.get(instanceId);
      if (!conn) throw new OmniError('SERVICE_UNAVAILABLE', `WhatsApp Cloud instance ${instanceId} is not connected`);
      // A Map keeps the last value set per key: reversed, that is each chat's first ref.
      const newestPerChat = [...new Map([...refs].reverse().map((r) => [r.chatId, r] as const)).values()];
      for (const ref of newestPerChat) {
        try {
          await conn.graph.post(`${conn.instance.config.phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: ref.messageId });
        } catch (err) {
          const failure = sendFailureOf(err).error;
          throw new OmniError(failure.code === 'RATE_LIMITED' ? 'RATE_LIMITED' : 'PLATFORM_ERROR', `could not mark ${ref.messageId} as read: ${failure.message}`, { details: { code: failure.code } });
        }
      }
    },

    async logout(instanceId) {
      connections.delete(instanceId);
      await window.forget(instanceId);
    },

    async handleWebhook(instanceId, request) {
      const conn = connections.get(instanceId);
      if (!conn) return refuse(503, 'SERVICE_UNAVAILABLE', 'this instance is disconnected; Meta will retry later');
      if (request.method === 'GET') return answerVerification(conn.instance.config, request);
      if (request.method !== 'POST') return refuse(405, 'METHOD_NOT_ALLOWED', 'GET for the verification handshake, POST for notifications');
      return takeNotification({ instance: conn.instance, graph: conn.graph, window, logger: conn.instance.logger }, request);
    },
  };
}
