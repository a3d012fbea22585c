import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { isOmniError, reconnectDelay, reconnectingStatus, type ChannelInstance } from '@omni/plugin-sdk';
import { ALLOWED_UPDATES, toInboundMessage } from './inbound-message.js';
import type { TelegramInstanceConfig } from './instance-config.js';
import { downloadToStore } from './media-download.js';
import { apiError, errorText, isUnauthorized, retryAfterSeconds, statusCode } from './telegram-errors.js';

type ApiSignal = Parameters<Api['getMe']>[0];

export const webhookPath = (instanceId: string) => `/api/v2/webhooks/telegram/${instanceId}`;

/**
 * One connected Telegram bot: checks the token (getMe), sets up polling or the webhook, and in
 * polling mode long-polls getUpdates, acknowledging each update (next offset) only after the
 * kernel stored it. Network failures reconnect with exponential backoff and jitter, reported as
 * `reconnecting`; a rejected token stops with an `error` status and no retry loop.
 */
export class TelegramSession {
  readonly api: Api;
  private readonly stopping = new AbortController();
  private readonly signal: AbortSignal;
  /** The same signal, typed as grammY's Node build declares it (the abort-controller polyfill). */
  private readonly apiSignal: ApiSignal;
  private loop: Promise<void> | undefined;
  me: UserFromGetMe | undefined;

  constructor(readonly instance: ChannelInstance<TelegramInstanceConfig>) {
    const { botToken, apiRoot } = instance.config;
    this.api = new Api(botToken, { apiRoot });
    this.signal = AbortSignal.any([instance.signal, this.stopping.signal]);
    this.apiSignal = this.signal as unknown as ApiSignal;
  }

  get config() {
    return this.instance.config;
  }

  get active() {
    return !this.signal.aborted;
  }

  start(): void {
    this.loop = this.run().catch((err: unknown) => {
      // run() handles its own errors; this is the last line against an unhandled rejection.
      this.instance.logger.error({ err: errorText(err, this.config.botToken) }, 'telegram session stopped unexpectedly');
      this.fail('INTERNAL_ERROR', errorText(err, this.config.botToken), true);
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** Stores one update through the kernel; resolves once it is durable. */
  async handleUpdate(update: Update): Promise<void> {
    const message = await toInboundMessage(update, (ref) => downloadToStore(this.api, this.instance, ref));
    if (!message) {
      this.instance.logger.debug({ updateId: update.update_id }, 'telegram update carries no message; skipped');
      return;
    }
    try {
      await this.instance.receive(message);
    } catch (err) {
      // A refusal (4xx) can never succeed: log it and move on. Anything else is retried.
      if (!isOmniError(err) || err.status >= 500) throw err;
      this.instance.logger.error({ updateId: update.update_id, code: err.code, err: err.message, details: err.details }, 'telegram update refused by the kernel; skipped');
    }
  }

  private fail(code: string, message: string, retryable: boolean) {
    this.instance.setStatus({ state: 'error', error: { code, message, retryable } });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let offset = 0;
    let ready = false;
    while (this.active) {
      try {
        if (!ready) {
          this.me = await this.api.getMe(this.apiSignal);
          if (this.config.mode === 'webhook') {
            await this.api.setWebhook(`${this.config.publicUrl!.replace(/\/+$/, '')}${webhookPath(this.instance.id)}`, { secret_token: this.config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: this.config.dropPendingUpdates }, this.apiSignal);
          } else {
            await this.api.deleteWebhook({ drop_pending_updates: this.config.dropPendingUpdates }, this.apiSignal);
          }
          ready = true;
          attempt = 0;
          this.instance.setStatus({ state: 'connected', account: { id: String(this.me.id), name: `@${this.me.username}` } });
          if (this.config.mode === 'webhook') return;
        }
        const updates = await this.api.getUpdates({ offset, timeout: this.config.pollTimeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] }, this.apiSignal);
        if (attempt > 0) {
          attempt = 0;
          this.instance.setStatus({ state: 'connected', account: { id: String(this.me!.id), name: `@${this.me!.username}` } });
        }
        for (const update of updates) {
          await this.handleUpdate(update);
          offset = update.update_id + 1;
        }
      } catch (err) {
        if (!this.active) return;
        const token = this.config.botToken;
        if (isUnauthorized(err)) {
          this.instance.logger.error('Telegram rejected the bot token');
          return this.fail('UNAUTHORIZED', 'Telegram rejected the bot token (401 Unauthorized): check botToken, or whether it was revoked with @BotFather', false);
        }
        attempt += 1;
        const { initialDelayMs, maxDelayMs } = this.config.reconnect;
        const backoff = reconnectDelay(attempt, { initialMs: initialDelayMs, maxMs: maxDelayMs, jitter: 'equal' });
        const wait = Math.max(backoff, (retryAfterSeconds(err) ?? 0) * 1000);
        const reason = apiError(err)?.error_code === 409 ? `another client is polling this bot or a webhook is set: ${errorText(err, token)}` : errorText(err, token);
        this.instance.logger.warn({ attempt, waitMs: wait, err: reason }, 'telegram connection failed; reconnecting');
        this.instance.setStatus(reconnectingStatus(attempt, wait, { code: statusCode(err), message: reason }));
        await sleep(wait, undefined, { signal: this.signal }).catch(() => undefined);
      }
    }
  }
}
