import { Client, Events, GatewayIntentBits, Partials, SimpleShardingStrategy, type ClientOptions } from 'discord.js';
import { reconnectDelay, reconnectingStatus, type ChannelInstance } from '@omni/plugin-sdk';
import { restOptions } from './discord-rest.js';
import type { DiscordInstanceConfig } from './instance-config.js';
import { isAuthFailure } from './platform-error.js';

/** discord.js waits this long before it reconnects a lost shard; the backoff adds the rest. */
const LIBRARY_RETRY_DELAY_MS = 500;

/** Gateway close codes after which discord.js gives up; no reconnect can fix them. */
const FATAL_CLOSES: Record<number, { code: string; message: string }> = {
  4004: { code: 'UNAUTHORIZED', message: 'Discord refused the bot token (gateway close 4004); update botToken and connect again' },
  4013: { code: 'INVALID_INTENTS', message: 'Discord rejected the gateway intents (close 4013)' },
  4014: { code: 'DISALLOWED_INTENTS', message: 'the bot asked for privileged intents it was not granted (close 4014): enable Message Content in the developer portal, or set intents.messageContent to false' },
};

export function clientOptions(config: DiscordInstanceConfig, beforeConnect: () => Promise<void>): ClientOptions {
  const { intents } = config;
  return {
    intents: [
      GatewayIntentBits.Guilds,
      ...(intents.guildMessages ? [GatewayIntentBits.GuildMessages] : []),
      ...(intents.directMessages ? [GatewayIntentBits.DirectMessages] : []),
      ...(intents.messageContent ? [GatewayIntentBits.MessageContent] : []),
      ...(intents.reactions ? [GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.DirectMessageReactions] : []),
    ],
    // DM channels are never cached before their first message: without Partials.Channel discord.js drops DMs.
    partials: [Partials.Channel, Partials.Message, Partials.Reaction, Partials.User, Partials.ThreadMember],
    rest: restOptions(config),
    ws: {
      // Every (re)connection of a shard first reads its session info: waiting there spaces
      // discord.js's own reconnects out with our backoff instead of its fixed 500 ms.
      buildStrategy: (manager) => {
        const options = manager.options as { retrieveSessionInfo: typeof manager.options.retrieveSessionInfo };
        const retrieve = options.retrieveSessionInfo;
        options.retrieveSessionInfo = async (shardId) => {
          await beforeConnect();
          return retrieve(shardId);
        };
        return new SimpleShardingStrategy(manager);
      },
    },
  };
}

/**
 * One instance's gateway connection through a discord.js Client. discord.js reconnects (resume or
 * re-identify) by itself; the session spaces those attempts with exponential backoff and jitter and
 * reports them as `reconnecting` with the attempt and the time of the next one. A refused token or
 * intents is an `error` status and no retry loop. `stop()` is final.
 */
export class GatewaySession {
  client: Client | undefined;
  botUserId: string | undefined;
  private stopped = false;
  private attempt = 0;
  private nextAttemptAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly instance: ChannelInstance<DiscordInstanceConfig>,
    private readonly onDispatch: (t: string, d: unknown) => Promise<void>,
  ) {}

  start(): void {
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.dropClient();
  }

  /** Forgets the current discord.js client and destroys it; resolves once it is gone (never rejects). */
  private dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    return client ? client.destroy().catch(() => undefined) : Promise.resolve();
  }

  private open(): void {
    const client = new Client(clientOptions(this.instance.config, () => this.beforeConnect()));
    this.client = client;
    const current = () => this.client === client && !this.stopped;
    client.on(Events.Raw, (packet: { t?: string | null; d?: unknown }) => {
      if (!current() || !packet.t) return;
      const { t, d } = packet;
      // One at a time, in gateway order; a failure is logged and never stops the stream.
      this.queue = this.queue.then(() => this.onDispatch(t, d)).catch((err: unknown) => this.instance.logger.error({ err, t }, 'could not ingest a Discord event'));
    });
    client.on(Events.ShardReady, () => current() && this.connected(client));
    client.on(Events.ShardResume, () => current() && this.connected(client));
    client.on(Events.ShardReconnecting, () => current() && this.lost());
    client.on(Events.ShardDisconnect, (event: { code: number }) => current() && this.closedForGood(event.code));
    client.on(Events.ShardError, (err) => this.instance.logger.warn({ err: err.message }, 'Discord gateway error'));
    client.on(Events.Error, (err) => this.instance.logger.warn({ err: err.message }, 'discord.js error'));
    client.on(Events.Invalidated, () => current() && this.fail('SESSION_INVALIDATED', 'Discord invalidated the session'));
    client.login(this.instance.config.botToken).catch((err: unknown) => {
      if (!current()) return;
      if (isAuthFailure(err)) this.fail('UNAUTHORIZED', 'Discord refused the bot token (401 Unauthorized); update botToken and connect again');
      else this.loginLater(`could not connect to Discord: ${(err as Error).message}`);
    });
  }

  private connected(client: Client): void {
    this.attempt = 0;
    this.botUserId = client.user?.id;
    this.instance.setStatus({ state: 'connected', ...(client.user ? { account: { id: client.user.id, name: client.user.username } } : {}) });
  }

  /** The next attempt's time: discord.js waits 500 ms, the backoff may ask for longer. */
  private schedule(reason: { code: string; message: string }): number {
    this.attempt++;
    const { baseDelayMs, maxDelayMs } = this.instance.config.reconnect;
    const backoff = reconnectDelay(this.attempt, { initialMs: baseDelayMs, maxMs: maxDelayMs, jitter: 'equal' });
    const delay = Math.max(LIBRARY_RETRY_DELAY_MS, backoff);
    const now = Date.now();
    this.nextAttemptAt = now + delay;
    this.instance.logger.warn({ attempt: this.attempt, delayMs: delay, reason: reason.message }, 'Discord gateway lost; reconnecting');
    this.instance.setStatus(reconnectingStatus(this.attempt, delay, reason, now));
    return delay;
  }

  /** discord.js lost the gateway and will reconnect; `beforeConnect` holds it until the backoff allows. */
  private lost(): void {
    this.schedule({ code: 'GATEWAY_LOST', message: 'the Discord gateway connection dropped; reconnecting' });
  }

  /** Runs before every gateway connection attempt. A stopped session never lets the shard connect again. */
  private async beforeConnect(): Promise<void> {
    if (this.stopped) return new Promise<void>(() => undefined);
    const wait = this.nextAttemptAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (this.stopped) return new Promise<void>(() => undefined);
  }

  private closedForGood(code: number): void {
    const fatal = FATAL_CLOSES[code] ?? { code: 'GATEWAY_CLOSED', message: `Discord closed the gateway with ${code} and it cannot be resumed` };
    this.fail(fatal.code, fatal.message);
  }

  /** Login itself failed (Discord unreachable): no shard runs yet, so a fresh client logs in after the backoff. */
  private loginLater(message: string): void {
    void this.dropClient();
    const delay = this.schedule({ code: 'PLATFORM_UNREACHABLE', message });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stopped || this.open(), delay);
  }

  private fail(code: string, message: string): void {
    this.stopped = true;
    clearTimeout(this.timer);
    void this.dropClient();
    this.instance.setStatus({ state: 'error', error: { code, message, retryable: false } });
  }
}
