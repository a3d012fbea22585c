import type { FakeSlackWorkspace } from './workspace.js';

export interface WebApiContext {
  workspace: FakeSlackWorkspace;
  identity: { teamId: string; botUserId: string; botId: string; botName: string };
  /** Files announced by files.getUploadURLExternal, and their bytes once posted to the upload URL. */
  pendingUploads: Map<string, { filename: string; length: number; data?: Buffer }>;
  uploadUrl(fileId: string): string;
  socketUrl(): string;
}

export interface WebApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

type Params = Record<string, unknown>;
type Handler = (ctx: WebApiContext, p: Params) => Record<string, unknown>;

const ok = (body: Record<string, unknown> = {}) => ({ ok: true, ...body });
const fail = (error: string, extra: Record<string, unknown> = {}) => ({ ok: false, error, ...extra });

function str(p: Params, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A JSON-encoded field (form bodies carry objects as JSON strings). */
function json<T>(p: Params, key: string): T | undefined {
  const v = p[key];
  if (typeof v !== 'string') return v as T | undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
}

function postMessage(ctx: WebApiContext, p: Params) {
  const channel = str(p, 'channel');
  if (!channel) return fail('channel_not_found');
  const text = str(p, 'text');
  const blocks = json<unknown[]>(p, 'blocks');
  const attachments = json<unknown[]>(p, 'attachments');
  if (!text && !blocks?.length && !attachments?.length) return fail('no_text');
  if (text && text.length > 40_000) return fail('msg_too_long');
  const threadTs = str(p, 'thread_ts');
  if (threadTs && !ctx.workspace.message(channel, threadTs)) return fail('thread_not_found');
  const m = ctx.workspace.addMessage({ channel, text, user: ctx.identity.botUserId, bot_id: ctx.identity.botId, thread_ts: threadTs });
  return ok({ channel, ts: m.ts, message: ctx.workspace.render(m) });
}

function update(ctx: WebApiContext, p: Params) {
  const channel = str(p, 'channel') ?? '';
  const m = ctx.workspace.message(channel, str(p, 'ts') ?? '');
  if (!m) return fail('message_not_found');
  if (m.user !== ctx.identity.botUserId) return fail('cant_update_message');
  m.text = str(p, 'text');
  m.edited = { user: ctx.identity.botUserId, ts: ctx.workspace.nextTs() };
  return ok({ channel, ts: m.ts, text: m.text, message: ctx.workspace.render(m) });
}

function remove(ctx: WebApiContext, p: Params) {
  const channel = str(p, 'channel') ?? '';
  const ts = str(p, 'ts') ?? '';
  const m = ctx.workspace.message(channel, ts);
  if (!m) return fail('message_not_found');
  if (m.user !== ctx.identity.botUserId) return fail('cant_delete_message');
  ctx.workspace.messages.delete(`${channel}:${ts}`);
  return ok({ channel, ts });
}

function react(add: boolean): Handler {
  return (ctx, p) => {
    const name = str(p, 'name');
    if (!name) return fail('invalid_name');
    const m = ctx.workspace.message(str(p, 'channel') ?? '', str(p, 'timestamp') ?? '');
    if (!m) return fail('message_not_found');
    const existing = m.reactions.find((r) => r.name === name);
    const me = ctx.identity.botUserId;
    if (add) {
      if (existing?.users.includes(me)) return fail('already_reacted');
      if (existing) existing.users.push(me);
      else m.reactions.push({ name, users: [me] });
    } else {
      if (!existing?.users.includes(me)) return fail('no_reaction');
      existing.users = existing.users.filter((u) => u !== me);
      if (existing.users.length === 0) m.reactions = m.reactions.filter((r) => r !== existing);
    }
    return ok();
  };
}

function getUploadUrl(ctx: WebApiContext, p: Params) {
  const filename = str(p, 'filename');
  const length = Number(str(p, 'length'));
  if (!filename) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: filename'] } });
  if (!Number.isInteger(length) || length <= 0) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: length'] } });
  const fileId = `F${ctx.workspace.nextTs().replace('.', '')}`;
  ctx.pendingUploads.set(fileId, { filename, length });
  return ok({ upload_url: ctx.uploadUrl(fileId), file_id: fileId });
}

function completeUpload(ctx: WebApiContext, p: Params) {
  const files = json<Array<{ id: string; title?: string }>>(p, 'files');
  if (!Array.isArray(files) || files.length === 0) return fail('invalid_arguments');
  const stored = [];
  for (const f of files) {
    const pending = ctx.pendingUploads.get(f.id);
    if (!pending?.data) return fail('file_not_found', { file_id: f.id });
    ctx.pendingUploads.delete(f.id);
    stored.push(ctx.workspace.addFile({ id: f.id, name: pending.filename, title: f.title, mimetype: mimeOf(pending.filename), data: pending.data }));
  }
  const channel = str(p, 'channel_id') ?? str(p, 'channels');
  const shares: Record<string, unknown> = {};
  if (channel) {
    const threadTs = str(p, 'thread_ts');
    const m = ctx.workspace.addMessage({ channel, text: str(p, 'initial_comment') ?? '', user: ctx.identity.botUserId, bot_id: ctx.identity.botId, thread_ts: threadTs, files: stored.map((f) => f.id) });
    const kind = ctx.workspace.channel(channel).type === 'channel' ? 'public' : 'private';
    shares[kind] = { [channel]: [{ ts: m.ts, ...(threadTs ? { thread_ts: threadTs } : {}) }] };
  }
  return ok({ files: stored.map((f) => ({ ...ctx.workspace.renderFile(f), channels: channel ? [channel] : [], shares })) });
}

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', pdf: 'application/pdf', ogg: 'audio/ogg', mp3: 'audio/mpeg', mp4: 'video/mp4', txt: 'text/plain' };
const mimeOf = (filename: string) => MIME[filename.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';

function usersInfo(ctx: WebApiContext, p: Params) {
  const user = ctx.workspace.users.get(str(p, 'user') ?? '');
  return user ? ok({ user: ctx.workspace.renderUser(user) }) : fail('user_not_found');
}

function conversationsInfo(ctx: WebApiContext, p: Params) {
  const id = str(p, 'channel') ?? '';
  const channel = ctx.workspace.channels.get(id);
  return channel ? ok({ channel: ctx.workspace.renderChannel(channel) }) : fail('channel_not_found');
}

function page(items: Record<string, unknown>[], p: Params) {
  const limit = Math.max(1, Math.min(Number(str(p, 'limit') ?? 100) || 100, 1000));
  const start = Number(str(p, 'cursor') ?? 0) || 0;
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { messages: slice, has_more: more, response_metadata: { next_cursor: more ? String(start + limit) : '' } };
}

function history(ctx: WebApiContext, p: Params) {
  const id = str(p, 'channel') ?? '';
  if (!ctx.workspace.channels.has(id)) return fail('channel_not_found');
  const oldest = Number(str(p, 'oldest') ?? 0);
  const latest = Number(str(p, 'latest') ?? Infinity);
  const items = ctx.workspace.history(id).filter((m) => !m.thread_ts || m.thread_ts === m.ts).filter((m) => Number(m.ts) >= oldest && Number(m.ts) <= latest);
  return ok(page(items.map((m) => ctx.workspace.render(m)), p));
}

function replies(ctx: WebApiContext, p: Params) {
  const id = str(p, 'channel') ?? '';
  const items = ctx.workspace.thread(id, str(p, 'ts') ?? '');
  if (items.length === 0) return fail('thread_not_found');
  return ok(page(items.map((m) => ctx.workspace.render(m)), p));
}

/** Methods answered with the bot token. */
export const BOT_METHODS: Record<string, Handler> = {
  'auth.test': (ctx) =>
    ok({ url: 'https://fake-workspace.slack.com/', team: 'Fake Workspace', user: ctx.identity.botName, team_id: ctx.identity.teamId, user_id: ctx.identity.botUserId, bot_id: ctx.identity.botId, is_enterprise_install: false }),
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': remove,
  'reactions.add': react(true),
  'reactions.remove': react(false),
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
  'users.info': usersInfo,
  'conversations.info': conversationsInfo,
  'conversations.history': history,
  'conversations.replies': replies,
};

/** Methods answered with the app-level token (Socket Mode). */
export const APP_METHODS: Record<string, Handler> = {
  'apps.connections.open': (ctx) => ok({ url: ctx.socketUrl() }),
};
