import type { FakeSlackChannel, FakeSlackChannelType, FakeSlackFile, FakeSlackMessage, FakeSlackUser } from './types.js';

/** The fake workspace's data: users, conversations, messages and files. */
export class FakeSlackWorkspace {
  readonly users = new Map<string, FakeSlackUser>();
  readonly channels = new Map<string, FakeSlackChannel>();
  readonly files = new Map<string, FakeSlackFile>();
  /** Messages by `${channel}:${ts}`. */
  readonly messages = new Map<string, FakeSlackMessage>();
  private clock = 1_700_000_000;
  private seq = 0;
  private fileSeq = 0;

  constructor(private readonly fileBaseUrl: () => string) {}

  /** A fresh, strictly increasing Slack timestamp (`seconds.micro`). */
  nextTs(): string {
    this.seq += 1;
    return `${this.clock + Math.floor(this.seq / 1000)}.${String(this.seq % 1000).padStart(3, '0')}100`;
  }

  addUser(user: FakeSlackUser): FakeSlackUser {
    this.users.set(user.id, user);
    return user;
  }

  addChannel(channel: FakeSlackChannel): FakeSlackChannel {
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** The conversation, created on first sight with a type guessed from its id (D: im, G: group, else channel). */
  channel(id: string): FakeSlackChannel {
    const known = this.channels.get(id);
    if (known) return known;
    const type: FakeSlackChannelType = id.startsWith('D') ? 'im' : id.startsWith('G') ? 'group' : 'channel';
    return this.addChannel({ id, type, name: type === 'im' ? undefined : id.toLowerCase() });
  }

  addFile(input: { name: string; mimetype: string; data: Buffer | Uint8Array; title?: string; id?: string }): FakeSlackFile {
    const id = input.id ?? `F${String(++this.fileSeq).padStart(8, '0')}`;
    const url = `${this.fileBaseUrl()}/files-pri/${id}/${encodeURIComponent(input.name)}`;
    const file: FakeSlackFile = {
      id,
      name: input.name,
      title: input.title ?? input.name,
      mimetype: input.mimetype,
      data: Buffer.from(input.data),
      size: input.data.byteLength,
      url_private: url,
      url_private_download: `${url}?download=1`,
    };
    this.files.set(id, file);
    return file;
  }

  addMessage(message: Omit<FakeSlackMessage, 'reactions' | 'ts'> & { ts?: string }): FakeSlackMessage {
    this.channel(message.channel);
    const stored: FakeSlackMessage = { ...message, ts: message.ts ?? this.nextTs(), reactions: [] };
    this.messages.set(`${stored.channel}:${stored.ts}`, stored);
    return stored;
  }

  message(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messages.get(`${channel}:${ts}`);
  }

  /** Messages of one conversation, newest first, as conversations.history answers. */
  history(channel: string): FakeSlackMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel).sort((a, b) => Number(b.ts) - Number(a.ts));
  }

  /** The parent and replies of a thread, oldest first, as conversations.replies answers. */
  thread(channel: string, ts: string): FakeSlackMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && (m.ts === ts || m.thread_ts === ts)).sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  /** The message as the Web API shows it. */
  render(m: FakeSlackMessage): Record<string, unknown> {
    return {
      type: 'message',
      ts: m.ts,
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.user ? { user: m.user } : {}),
      ...(m.bot_id ? { bot_id: m.bot_id } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(m.files?.length ? { files: m.files.map((id) => this.renderFile(this.files.get(id)!)) } : {}),
      ...(m.reactions.length ? { reactions: m.reactions.map((r) => ({ name: r.name, users: r.users, count: r.users.length })) } : {}),
      ...(m.edited ? { edited: m.edited } : {}),
    };
  }

  renderFile(f: FakeSlackFile): Record<string, unknown> {
    return { id: f.id, name: f.name, title: f.title, mimetype: f.mimetype, filetype: f.name.split('.').pop() ?? 'bin', size: f.size, url_private: f.url_private, url_private_download: f.url_private_download };
  }

  renderUser(u: FakeSlackUser): Record<string, unknown> {
    return {
      id: u.id,
      name: u.name,
      real_name: u.realName ?? u.name,
      is_bot: u.isBot ?? false,
      deleted: false,
      profile: { real_name: u.realName ?? u.name, display_name: u.displayName ?? '', ...(u.avatarUrl ? { image_72: u.avatarUrl, image_192: u.avatarUrl } : {}) },
    };
  }

  renderChannel(c: FakeSlackChannel): Record<string, unknown> {
    return {
      id: c.id,
      ...(c.name ? { name: c.name } : {}),
      is_im: c.type === 'im',
      is_mpim: c.type === 'mpim',
      is_channel: c.type === 'channel',
      is_group: c.type === 'group',
      is_private: c.type !== 'channel',
      ...(c.user ? { user: c.user } : {}),
    };
  }
}
