import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway } from './gateway.js';
import { INTENTS, memberStub, message } from './payloads.js';
import { handleRest, writeAnswer, type RestContext } from './rest-api.js';
import { FakeDiscordState } from './state.js';
import type { DiscordAttachment, DiscordChannel, DiscordGuild, DiscordMessage, DiscordUser, InjectedFailure, RecordedCall, RecordedGatewayOp } from './types.js';

export interface FakeDiscordOptions {
  /** The bot token the fake accepts (REST `Authorization: Bot <token>` and gateway IDENTIFY). */
  token?: string;
  botId?: string;
  botName?: string;
  /** Guild channels to create in the one default guild (default `['general', 'random']`). */
  channels?: string[];
  /** The heartbeat interval announced in HELLO. */
  heartbeatIntervalMs?: number;
  /** A fixed port (default: any free one), e.g. to bring a "Discord" back where clients expect it. */
  port?: number;
}

export interface UserMessageInput {
  /** A guild channel, thread or DM channel id. Use `fake.dmChannel(userId).id` for DMs. */
  channelId: string;
  author: DiscordUser;
  content?: string;
  /** Files the user attached; they are put on the fake CDN. */
  files?: Array<{ filename: string; contentType: string; data: Buffer | Uint8Array; voiceMessage?: boolean }>;
  /** The id of the message this one replies to. */
  replyTo?: string;
  mentions?: DiscordUser[];
  /** A fixed message id (default: a fresh snowflake). */
  id?: string;
}

export interface FakeDiscord {
  /** `http://127.0.0.1:<port>`: serves REST under `/api/v10`, the CDN under `/attachments`, and the gateway (WebSocket). */
  url: string;
  /** The REST base to give a client: `${url}/api` (discord.js adds `/v10`). */
  apiBase: string;
  token: string;
  bot: DiscordUser;
  /** The default guild with its text channels. */
  guild: DiscordGuild;
  /** Every REST call, in order. */
  calls: RecordedCall[];
  /** Every gateway payload clients sent. */
  gatewayOps: RecordedGatewayOp[];
  gateway: FakeGateway;
  addUser(username: string, extra?: Partial<DiscordUser>): DiscordUser;
  addThread(parentChannelId: string, name: string): DiscordChannel;
  /** The DM channel between the bot and a user, created on first use. */
  dmChannel(userId: string): DiscordChannel;
  /** Messages stored in a channel, oldest first. */
  history(channelId: string): DiscordMessage[];
  /** Stores a message without dispatching it (history for sync). */
  seedMessage(input: UserMessageInput): DiscordMessage;
  /** A user sends a message: stored and dispatched as MESSAGE_CREATE to sessions with the matching intents. */
  userMessage(input: UserMessageInput): DiscordMessage;
  /** A user edits their message: MESSAGE_UPDATE. */
  userEdit(channelId: string, messageId: string, content: string): DiscordMessage;
  /** A user deletes a message: MESSAGE_DELETE. */
  userDelete(channelId: string, messageId: string): void;
  /** A user reacts to a message: MESSAGE_REACTION_ADD. */
  userReaction(input: { channelId: string; messageId: string; user: DiscordUser; emoji: string }): void;
  /** Answers the next `times` matching REST calls with a failure (429 with retry-after, 403 code 50013, ...). */
  failNext(failure: InjectedFailure, match?: { method?: string; route?: RegExp; times?: number }): void;
  /** Resolves with the first recorded REST call (from `fromIndex`) that matches; rejects after `timeoutMs`. */
  waitForCall(predicate: (call: RecordedCall) => boolean, options?: { timeoutMs?: number; fromIndex?: number }): Promise<RecordedCall>;
  /** Resolves once `n` gateway sessions are identified or resumed. */
  waitForSessions(n?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function poll<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = check();
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`fake discord: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts a loopback Discord (REST API v10, gateway and CDN) on 127.0.0.1 with one guild. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'fake-bot-token.discord.0123456789';
  const state = new FakeDiscordState(options.botId ?? '1100000000000000001', options.botName ?? 'omni-fake-bot');
  const guild = state.addGuild('Omni Test Guild', options.channels ?? ['general', 'random']);
  let url = '';
  const server: Server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://fake.invalid');
    if (parsed.pathname.startsWith('/api/v10/')) {
      handleRest(restContext, req, res, parsed.pathname.slice('/api/v10'.length), parsed.searchParams).catch((err: unknown) => {
        writeAnswer(res, { status: 500, body: { message: String(err), code: 0 } });
      });
      return;
    }
    const file = req.method === 'GET' ? state.files.get(parsed.pathname) : undefined;
    if (file) {
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.data.length) });
      res.end(file.data);
      return;
    }
    writeAnswer(res, { status: 404, body: { message: '404: Not Found', code: 0 } });
  });
  const gateway = new FakeGateway(server, {
    token: () => token,
    botUser: () => state.bot,
    guilds: () => state.guilds,
    url: () => url.replace(/^http/, 'ws'),
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
  });

  /** Which intents a session needs to get a message event in this channel. */
  const messageIntents = (channelId: string) => (state.channels.get(channelId)?.type === 1 ? INTENTS.directMessages : INTENTS.guildMessages);
  const reactionIntents = (channelId: string) => (state.channels.get(channelId)?.type === 1 ? INTENTS.directMessageReactions : INTENTS.guildMessageReactions);
  const guildFields = (channelId: string) => {
    const channel = state.channels.get(channelId);
    return channel?.guild_id ? { guild_id: channel.guild_id, member: memberStub() } : { channel_type: channel?.type ?? 1 };
  };
  /**
   * Sends a message dispatch. Like Discord, sessions without the MESSAGE_CONTENT intent get guild
   * messages without content and attachments, unless the bot wrote the message or is mentioned.
   */
  const dispatchMessage = (t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', msg: DiscordMessage) => {
    const payload = { ...msg, ...guildFields(msg.channel_id) };
    const privileged = msg.author.id === state.bot.id || msg.mentions.some((m) => m.id === state.bot.id) || state.channels.get(msg.channel_id)?.type === 1;
    return gateway.dispatch(t, payload, messageIntents(msg.channel_id), (d, intents) =>
      privileged || (intents & INTENTS.messageContent) !== 0 ? d : { ...(d as DiscordMessage), content: '', attachments: [], embeds: [] },
    );
  };

  const restContext: RestContext = {
    state,
    token,
    get baseUrl() {
      return url;
    },
    get gatewayUrl() {
      return url.replace(/^http/, 'ws');
    },
    onBotMessage: (msg) => void dispatchMessage('MESSAGE_CREATE', msg),
    onBotEdit: (msg) => void dispatchMessage('MESSAGE_UPDATE', msg),
    onBotDelete: (channelId, messageId) => void gateway.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: channelId, ...guildFields(channelId) }, messageIntents(channelId)),
  };

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const build = (input: UserMessageInput): DiscordMessage => {
    if (!state.channels.has(input.channelId)) throw new Error(`fake discord: no channel ${input.channelId}`);
    const attachments: DiscordAttachment[] = (input.files ?? []).map((f) => ({
      ...state.attach(url, input.channelId, { filename: f.filename, contentType: f.contentType, data: Buffer.from(f.data) }),
      ...(f.voiceMessage ? { flags: 0, duration_secs: 1 } : {}),
    }));
    const channel = state.channels.get(input.channelId)!;
    return message({
      id: input.id ?? state.nextId(),
      channel_id: input.channelId,
      ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
      author: input.author,
      content: input.content ?? '',
      attachments,
      mentions: input.mentions ?? [],
      ...(input.files?.some((f) => f.voiceMessage) ? { flags: 1 << 13 } : {}),
      ...(input.replyTo
        ? { type: 19, message_reference: { message_id: input.replyTo, channel_id: input.channelId }, referenced_message: state.findMessage(input.channelId, input.replyTo) ?? null }
        : {}),
    });
  };

  return {
    url,
    apiBase: `${url}/api`,
    token,
    get bot() {
      return state.bot;
    },
    guild,
    calls: state.calls,
    gatewayOps: gateway.received,
    gateway,
    addUser: (username, extra) => state.addUser(username, extra),
    addThread: (parent, name) => {
      const thread = state.addThread(parent, name);
      gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true }, INTENTS.guilds);
      return thread;
    },
    dmChannel: (userId) => state.dmChannel(userId),
    history: (channelId) => [...(state.messages.get(channelId) ?? [])],
    seedMessage: (input) => state.store(build(input)),
    userMessage(input) {
      const msg = state.store(build(input));
      dispatchMessage('MESSAGE_CREATE', msg);
      return msg;
    },
    userEdit(channelId, messageId, content) {
      const msg = state.findMessage(channelId, messageId);
      if (!msg) throw new Error(`fake discord: no message ${messageId} in ${channelId}`);
      msg.content = content;
      msg.edited_timestamp = new Date().toISOString();
      dispatchMessage('MESSAGE_UPDATE', msg);
      return msg;
    },
    userDelete(channelId, messageId) {
      state.removeMessage(channelId, messageId);
      gateway.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: channelId, ...guildFields(channelId) }, messageIntents(channelId));
    },
    userReaction({ channelId, messageId, user, emoji }) {
      const channel = state.channels.get(channelId);
      gateway.dispatch(
        'MESSAGE_REACTION_ADD',
        {
          user_id: user.id,
          channel_id: channelId,
          message_id: messageId,
          emoji: { id: null, name: emoji },
          burst: false,
          type: 0,
          ...(channel?.guild_id ? { guild_id: channel.guild_id, member: { ...memberStub(), user } } : {}),
        },
        reactionIntents(channelId),
      );
    },
    failNext(failure, match = {}) {
      state.failures.push({ failure, method: match.method, route: match.route, remaining: match.times ?? 1 });
    },
    waitForCall(predicate, { timeoutMs = 5_000, fromIndex = 0 } = {}) {
      return poll('a matching REST call', timeoutMs, () => state.calls.slice(fromIndex).find(predicate));
    },
    async waitForSessions(n = 1, timeoutMs = 5_000) {
      await poll(`${n} gateway session(s)`, timeoutMs, () => (gateway.connectedSessions >= n ? true : undefined));
    },
    close: () =>
      new Promise<void>((resolve) => {
        gateway.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
