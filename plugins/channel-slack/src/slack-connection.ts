import type { WebClient } from '@slack/web-api';
import { reconnectDelay, reconnectingStatus, type BackoffOptions, type ChannelInstance, type IngressResult } from '@omni/plugin-sdk';
import { downloadFile } from './inbound-files.js';
import { normalizeEvent, type SlackInnerEvent } from './inbound-event.js';
import type { SlackInstanceConfig } from './instance-config.js';
import type { OutboundContext } from './outbound-send.js';
import { describeSlackError, isPlatformError, type SlackFailure } from './slack-errors.js';
import { SocketIngress } from './socket-ingress.js';
import { UserProfiles } from './user-profiles.js';
import { createWebClient } from './web-client.js';

export interface BotIdentity {
  userId: string;
  botId?: string;
  teamId?: string;
  name?: string;
}

/** What happened to one Events API payload. */
export interface PayloadOutcome {
  received: IngressResult[];
}

/**
 * One Slack instance: its Web API client, the bot identity from auth.test, the Socket Mode
 * session when the instance uses one, and the reconnect loop (exponential backoff with jitter,
 * reported in the status). An invalid token is an error status, never a retry loop.
 */
export class SlackConnection {
  readonly client: WebClient;
  readonly profiles: UserProfiles;
  readonly outbound: OutboundContext;
  self?: BotIdentity;
  private socket?: SocketIngress;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    readonly instance: ChannelInstance<SlackInstanceConfig>,
    private readonly backoff: BackoffOptions,
    maxFileSize: number,
  ) {
    this.client = createWebClient(instance.config, instance.logger);
    this.profiles = new UserProfiles(this.client);
    this.outbound = {
      client: this.client,
      maxRateLimitWaitMs: instance.config.maxRateLimitWaitMs,
      requestTimeoutMs: instance.config.requestTimeoutMs,
      maxFileSize,
      reactions: new Map(),
      onFailure: (f) => this.onFailure(f),
    };
    instance.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  get ready(): boolean {
    return this.self !== undefined && !this.stopped;
  }

  /** Resolves after the first attempt; later attempts run in the background. */
  async start(): Promise<void> {
    this.instance.setStatus({ state: 'connecting' });
    await this.attemptConnect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    await socket?.stop();
  }

  private async attemptConnect(): Promise<void> {
    if (this.stopped) return;
    try {
      const auth = await this.client.auth.test();
      this.self = { userId: auth.user_id!, botId: auth.bot_id, teamId: auth.team_id, name: auth.user };
      if (this.instance.config.mode === 'socket') await this.openSocket();
      if (this.stopped) return;
      this.attempt = 0;
      this.instance.setStatus({ state: 'connected', account: { id: this.self.userId, ...(this.self.name ? { name: this.self.name } : {}) } });
    } catch (err) {
      if (this.stopped) return;
      const failure = describeSlackError(err);
      if (failure.authFailed || (isPlatformError(err) && !failure.retryable)) {
        this.instance.setStatus({ state: 'error', error: { code: failure.code, message: failure.message, retryable: false } });
        return;
      }
      await this.scheduleReconnect(failure.message);
    }
  }

  private async openSocket() {
    const previous = this.socket;
    this.socket = undefined;
    await previous?.stop();
    const socket = new SocketIngress({
      appToken: this.instance.config.appToken!,
      slackApiUrl: this.instance.config.slackApiUrl,
      timeoutMs: this.instance.config.requestTimeoutMs,
      logger: this.instance.logger,
      onEvent: async (payload) => void (await this.processPayload(payload)),
      onDrop: () => void this.scheduleReconnect('the Socket Mode connection closed'),
    });
    this.socket = socket;
    await socket.start();
  }

  private async scheduleReconnect(reason: string): Promise<void> {
    if (this.stopped) return;
    const socket = this.socket;
    this.socket = undefined;
    await socket?.stop();
    if (this.stopped) return;
    this.attempt += 1;
    const delay = reconnectDelay(this.attempt, this.backoff);
    this.instance.setStatus(reconnectingStatus(this.attempt, delay, { code: 'CONNECTION_LOST', message: reason }));
    this.instance.logger.info({ attempt: this.attempt, delayMs: delay }, `slack: ${reason}; reconnecting`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attemptConnect(), delay);
  }

  /** A send or lookup that found the token dead turns the instance's status to error. */
  private onFailure(failure: SlackFailure) {
    if (!failure.authFailed || this.stopped) return;
    this.instance.setStatus({ state: 'error', error: { code: failure.code, message: failure.message, retryable: false } });
  }

  /** Normalizes an Events API payload (HTTP or Socket Mode) and hands each message to the kernel. */
  async processPayload(payload: unknown): Promise<PayloadOutcome> {
    const body = payload as { type?: string; event?: SlackInnerEvent };
    if (body?.type !== 'event_callback' || typeof body.event?.type !== 'string' || !this.self) return { received: [] };
    const config = this.instance.config;
    const messages = await normalizeEvent(body.event, {
      self: this.self,
      sender: (userId) => this.profiles.sender(userId),
      download: (file) => downloadFile(file, { botToken: config.botToken, maxBytes: config.maxDownloadBytes, timeoutMs: config.requestTimeoutMs, store: (m) => this.instance.storeMedia(m) }),
    });
    const received: IngressResult[] = [];
    for (const message of messages) received.push(await this.instance.receive(message));
    return { received };
  }
}
