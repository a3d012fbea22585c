import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Update } from 'grammy/types';
import { OmniError, type ChannelAdapter, type OutboundMessage, type SendResult, type WebhookRequest, type WebhookResponse } from '@omni/plugin-sdk';
import type { TelegramInstanceConfig } from './instance-config.js';
import { messageExternalId, parseMessageRef } from './message-ids.js';
import { sendOutbound } from './outbound-message.js';
import { apiError, errorText, retryAfterSeconds, sendFailure } from './telegram-errors.js';
import { TelegramSession } from './telegram-session.js';

const refuse = (status: number, code: string, message: string): WebhookResponse => ({ status, body: { error: { code, message } } });

function secretMatches(expected: string | undefined, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const isUpdate = (body: unknown): body is Update => typeof body === 'object' && body !== null && typeof (body as { update_id?: unknown }).update_id === 'number';

/** The Telegram channel: one grammY Api client per connected instance. */
export function createTelegramAdapter(): ChannelAdapter<TelegramInstanceConfig> {
  const sessions = new Map<string, TelegramSession>();
  const live = (instanceId: string) => {
    const session = sessions.get(instanceId);
    if (!session) throw new OmniError('SERVICE_UNAVAILABLE', `telegram instance ${instanceId} is not connected`);
    return session;
  };

  /** Runs a Bot API call; a 429 with a short retry_after is waited out and tried once more. */
  async function withRateLimit<T>(session: TelegramSession, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const retryAfter = retryAfterSeconds(err);
      if (apiError(err)?.error_code !== 429 || retryAfter === undefined || retryAfter > session.config.maxInlineRetryAfterSeconds) throw err;
      session.instance.logger.warn({ retryAfter }, 'telegram rate limit; retrying once');
      await sleep(retryAfter * 1000);
      return call();
    }
  }

  const failed = (session: TelegramSession, err: unknown): SendResult => {
    const failure = sendFailure(err, session.config.botToken);
    session.instance.logger.warn({ code: failure.error.code, err: failure.error.message }, 'telegram call failed');
    return failure;
  };

  const refOf = (chatId: string, messageId: string) => {
    const ref = parseMessageRef(messageId, chatId);
    if (!ref) throw new OmniError('VALIDATION_ERROR', `'${messageId}' is not a Telegram message id (<chat id>:<message id>)`);
    return ref;
  };

  return {
    async connect(instance) {
      await sessions.get(instance.id)?.stop();
      const session = new TelegramSession(instance);
      sessions.set(instance.id, session);
      session.start();
    },

    async disconnect(instanceId) {
      const session = sessions.get(instanceId);
      sessions.delete(instanceId);
      await session?.stop();
    },

    async send(instanceId: string, message: OutboundMessage) {
      const session = live(instanceId);
      try {
        return await withRateLimit(session, () => sendOutbound(session.api, message));
      } catch (err) {
        return failed(session, err);
      }
    },

    async edit(instanceId, ref, text) {
      const session = live(instanceId);
      const target = refOf(ref.chatId, ref.messageId);
      try {
        await withRateLimit(session, () => session.api.editMessageText(target.chatId, target.messageId, text));
        return { ok: true, externalId: messageExternalId(target.chatId, target.messageId) };
      } catch (err) {
        return failed(session, err);
      }
    },

    async delete(instanceId, ref) {
      const session = live(instanceId);
      const target = refOf(ref.chatId, ref.messageId);
      try {
        await withRateLimit(session, () => session.api.deleteMessage(target.chatId, target.messageId));
        return { ok: true, externalId: messageExternalId(target.chatId, target.messageId) };
      } catch (err) {
        return failed(session, err);
      }
    },

    async typing(instanceId, chatId, state) {
      // Telegram shows "typing…" for 5 s or until the next message; there is nothing to stop.
      if (state !== 'composing') return;
      const session = live(instanceId);
      await session.api.sendChatAction(chatId, 'typing').catch((err: unknown) => session.instance.logger.debug({ err: errorText(err, session.config.botToken) }, 'sendChatAction failed'));
    },

    async updateProfile(instanceId, profile) {
      const session = live(instanceId);
      const unsupported = (['picture', 'avatar', 'username', 'activity'] as const).filter((k) => profile[k] !== undefined);
      if (unsupported.length > 0) throw new OmniError('BAD_REQUEST', `a Telegram bot cannot change ${unsupported.join(', ')} through the Bot API (use @BotFather); it can change name and status`);
      try {
        if (profile.name !== undefined) await session.api.setMyName(profile.name);
        if (profile.status !== undefined) await session.api.setMyDescription(profile.status);
      } catch (err) {
        const failure = sendFailure(err, session.config.botToken);
        throw new OmniError('PLATFORM_ERROR', `Telegram refused the profile update: ${failure.error.message}`, { details: { code: failure.error.code } });
      }
    },

    async validateRecipient(instanceId, recipient) {
      const session = live(instanceId);
      const normalized = recipient.trim();
      if (!/^(-?\d+|@[A-Za-z]\w{3,31})$/.test(normalized)) return { valid: false, exists: false, normalized };
      try {
        const chat = await session.api.getChat(normalized);
        const name = 'title' in chat && chat.title ? chat.title : [chat.first_name, chat.last_name].filter(Boolean).join(' ') || undefined;
        return { valid: true, exists: true, normalized: String(chat.id), ...(name ? { profile: { name } } : {}) };
      } catch (err) {
        if (apiError(err)?.error_code === 400) return { valid: true, exists: false, normalized };
        throw new OmniError('PLATFORM_ERROR', `Telegram getChat failed: ${sendFailure(err, session.config.botToken).error.message}`);
      }
    },

    async fetchProfile(instanceId, platformUserId) {
      const session = live(instanceId);
      try {
        const chat = await session.api.getChat(platformUserId);
        const name = 'title' in chat && chat.title ? chat.title : [chat.first_name, chat.last_name].filter(Boolean).join(' ') || undefined;
        return {
          platformUserId: String(chat.id),
          ...(name ? { name } : {}),
          ...(chat.username ? { username: chat.username } : {}),
          ...(chat.bio ? { about: chat.bio } : {}),
        };
      } catch (err) {
        if (apiError(err)?.error_code === 400) throw new OmniError('NOT_FOUND', `Telegram knows no chat '${platformUserId}' for this bot (a user must message the bot first)`);
        throw new OmniError('PLATFORM_ERROR', `Telegram getChat failed: ${sendFailure(err, session.config.botToken).error.message}`);
      }
    },

    async handleWebhook(instanceId: string, request: WebhookRequest): Promise<WebhookResponse> {
      if (request.method !== 'POST') return refuse(405, 'METHOD_NOT_ALLOWED', 'Telegram POSTs updates');
      const session = sessions.get(instanceId);
      // 503 makes Telegram keep the update and retry later: nothing is lost while disconnected.
      if (!session || !session.active) return refuse(503, 'SERVICE_UNAVAILABLE', 'this instance is disconnected; retry later');
      if (session.config.mode !== 'webhook') return refuse(409, 'CONFLICT', 'this instance uses long polling, not webhooks');
      if (!secretMatches(session.config.webhookSecret, request.headers['x-telegram-bot-api-secret-token'])) return refuse(401, 'UNAUTHORIZED', 'missing or wrong X-Telegram-Bot-Api-Secret-Token');
      if (!isUpdate(request.body)) return refuse(400, 'VALIDATION_ERROR', 'expected a Telegram Update as JSON');
      try {
        await session.handleUpdate(request.body);
      } catch (err) {
        session.instance.logger.warn({ err: errorText(err, session.config.botToken) }, 'telegram webhook update not stored; Telegram will retry');
        return refuse(503, 'SERVICE_UNAVAILABLE', 'the update could not be stored; retry later');
      }
      return { status: 200, body: { ok: true } };
    },
  };
}
