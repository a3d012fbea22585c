import { OmniError, type BackoffOptions, type ChannelAdapter } from '@omni/plugin-sdk';
import { slackCapabilities } from './capabilities.js';
import { handleEventsRequest } from './events-webhook.js';
import type { SlackInstanceConfig } from './instance-config.js';
import { deleteMessage, editMessage, sendMessage } from './outbound-send.js';
import { SlackConnection } from './slack-connection.js';
import { describeSlackError } from './slack-errors.js';

/** A Slack failure on an API-facing call, in the error envelope: 429 with the wait, 502 with Slack's reason otherwise. */
function platformError(err: unknown): OmniError {
  const f = describeSlackError(err);
  return f.code === 'RATE_LIMITED'
    ? new OmniError('RATE_LIMITED', f.message, { details: { retryAfterMs: f.retryAfterMs } })
    : new OmniError('PLATFORM_ERROR', f.message, { details: { code: f.code } });
}

/** Reconnect delays: doubling from 1 s up to 60 s, with full jitter (anywhere between zero and the step). */
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, jitter: 'full' };

const NOT_CONNECTED = { ok: false as const, error: { code: 'NOT_CONNECTED', message: 'this Slack instance is not connected', retryable: true } };

/** The Slack channel adapter: one SlackConnection per connected instance. */
export function createSlackAdapter(options: { backoff?: BackoffOptions } = {}): ChannelAdapter<SlackInstanceConfig> {
  const connections = new Map<string, SlackConnection>();
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const live = (instanceId: string) => {
    const c = connections.get(instanceId);
    return c?.ready ? c : undefined;
  };
  const connectionOf = (instanceId: string) => {
    const c = connections.get(instanceId);
    if (!c?.ready) throw new OmniError('SERVICE_UNAVAILABLE', 'this Slack instance is not connected');
    return c;
  };

  return {
    async connect(instance) {
      await connections.get(instance.id)?.stop();
      const connection = new SlackConnection(instance, backoff, slackCapabilities.limits.maxFileSize);
      connections.set(instance.id, connection);
      await connection.start();
    },

    async disconnect(instanceId) {
      const connection = connections.get(instanceId);
      connections.delete(instanceId);
      await connection?.stop();
    },

    async send(instanceId, message) {
      const c = live(instanceId);
      return c ? sendMessage(c.outbound, message) : NOT_CONNECTED;
    },

    async edit(instanceId, ref, text) {
      const c = live(instanceId);
      return c ? editMessage(c.outbound, ref, text) : NOT_CONNECTED;
    },

    async delete(instanceId, ref) {
      const c = live(instanceId);
      return c ? deleteMessage(c.outbound, ref) : NOT_CONNECTED;
    },

    async fetchProfile(instanceId, platformUserId) {
      const c = connectionOf(instanceId);
      try {
        return await c.profiles.fetch(platformUserId);
      } catch (err) {
        if (describeSlackError(err).code === 'SLACK_USER_NOT_FOUND') throw new OmniError('NOT_FOUND', `no Slack user '${platformUserId}'`);
        throw platformError(err);
      }
    },

    async validateRecipient(instanceId, recipient) {
      const c = connectionOf(instanceId);
      const normalized = recipient.trim().replace(/^<[@#]([A-Z0-9]+)(\|[^>]*)?>$/, '$1').toUpperCase();
      if (!/^[UWCDG][A-Z0-9]+$/.test(normalized)) return { valid: false, exists: false, normalized };
      try {
        if (normalized.startsWith('U') || normalized.startsWith('W')) {
          const profile = await c.profiles.fetch(normalized);
          return { valid: true, exists: true, normalized, profile: { ...(profile.name ? { name: profile.name } : {}), ...(profile.avatarUrl ? { avatar: profile.avatarUrl } : {}) } };
        }
        const info = await c.client.conversations.info({ channel: normalized });
        return { valid: true, exists: true, normalized, ...(info.channel?.name ? { profile: { name: info.channel.name } } : {}) };
      } catch (err) {
        const { code } = describeSlackError(err);
        if (code === 'SLACK_USER_NOT_FOUND' || code === 'SLACK_CHANNEL_NOT_FOUND') return { valid: true, exists: false, normalized };
        throw platformError(err);
      }
    },

    handleWebhook: (instanceId, request) => handleEventsRequest(connections.get(instanceId), request),
  };
}
