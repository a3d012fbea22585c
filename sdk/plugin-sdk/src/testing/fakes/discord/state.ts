import { channelPayload, snowflakes, user } from './payloads.js';
import type { DiscordAttachment, DiscordChannel, DiscordGuild, DiscordMessage, DiscordUser, InjectedFailure, RecordedCall } from './types.js';

export interface StoredFile {
  data: Buffer;
  contentType: string;
}

export interface FailureRule {
  failure: InjectedFailure;
  method?: string;
  route?: RegExp;
  remaining: number;
}

/** Everything the fake Discord knows: users, guilds, channels, messages, files, and what it was asked. */
export class FakeDiscordState {
  readonly nextId = snowflakes();
  readonly users = new Map<string, DiscordUser>();
  readonly guilds: DiscordGuild[] = [];
  readonly channels = new Map<string, DiscordChannel>();
  /** Messages per channel id, oldest first. */
  readonly messages = new Map<string, DiscordMessage[]>();
  /** Attachment bytes by CDN path. */
  readonly files = new Map<string, StoredFile>();
  readonly calls: RecordedCall[] = [];
  readonly failures: FailureRule[] = [];
  bot: DiscordUser;

  constructor(botId: string, botName: string) {
    this.bot = user(botId, botName, { bot: true });
    this.users.set(botId, this.bot);
  }

  addGuild(name: string, channelNames: string[]): DiscordGuild {
    const guild: DiscordGuild = { id: this.nextId(), name, channels: [], threads: [] };
    for (const [position, channelName] of channelNames.entries()) {
      const channel = channelPayload({ id: this.nextId(), type: 0, name: channelName, guild_id: guild.id, parent_id: null, position });
      guild.channels.push(channel);
      this.channels.set(channel.id, channel);
    }
    this.guilds.push(guild);
    return guild;
  }

  addThread(parentId: string, name: string): DiscordChannel {
    const parent = this.channels.get(parentId);
    const guild = this.guilds.find((g) => g.id === parent?.guild_id);
    if (!parent || !guild) throw new Error(`no guild channel ${parentId}`);
    const thread = channelPayload({ id: this.nextId(), type: 11, name, guild_id: guild.id, parent_id: parent.id });
    guild.threads.push(thread);
    this.channels.set(thread.id, thread);
    return thread;
  }

  addUser(username: string, extra: Partial<DiscordUser> = {}): DiscordUser {
    const u = user(extra.id ?? this.nextId(), username, extra);
    this.users.set(u.id, u);
    return u;
  }

  /** The DM channel between the bot and a user, created on first use. */
  dmChannel(userId: string): DiscordChannel {
    for (const c of this.channels.values()) if (c.type === 1 && c.recipients?.[0]?.id === userId) return c;
    const recipient = this.users.get(userId);
    if (!recipient) throw new Error(`no user ${userId}`);
    const channel: DiscordChannel = { id: this.nextId(), type: 1, recipients: [recipient], last_message_id: null };
    this.channels.set(channel.id, channel);
    return channel;
  }

  store(msg: DiscordMessage): DiscordMessage {
    const list = this.messages.get(msg.channel_id) ?? [];
    list.push(msg);
    this.messages.set(msg.channel_id, list);
    const channel = this.channels.get(msg.channel_id);
    if (channel) channel.last_message_id = msg.id;
    return msg;
  }

  findMessage(channelId: string, messageId: string): DiscordMessage | undefined {
    return this.messages.get(channelId)?.find((m) => m.id === messageId);
  }

  removeMessage(channelId: string, messageId: string): boolean {
    const list = this.messages.get(channelId);
    const at = list?.findIndex((m) => m.id === messageId) ?? -1;
    if (at < 0) return false;
    list!.splice(at, 1);
    return true;
  }

  /** Keeps bytes on the fake CDN and returns the attachment object pointing at them. */
  attach(baseUrl: string, channelId: string, file: { filename: string; contentType: string; data: Buffer }): DiscordAttachment {
    const id = this.nextId();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    this.files.set(path, { data: file.data, contentType: file.contentType });
    const url = `${baseUrl}${path}`;
    return { id, filename: file.filename, size: file.data.length, url, proxy_url: url, content_type: file.contentType };
  }

  /** Takes the first injected failure that matches the request, counting it down. */
  takeFailure(method: string, route: string): InjectedFailure | undefined {
    const rule = this.failures.find((f) => f.remaining > 0 && (!f.method || f.method === method) && (!f.route || f.route.test(route)));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.failure;
  }
}
