import type { IncomingMessage, ServerResponse } from 'node:http';
import { message } from './payloads.js';
import type { FakeDiscordState } from './state.js';
import type { DiscordAttachment, DiscordMessage, InjectedFailure, RecordedCall } from './types.js';
import { readBody } from '../read-body.js';

/** An answer of the fake REST API: a status and a JSON body (none for 204). */
export interface RestAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RestContext {
  state: FakeDiscordState;
  token: string;
  baseUrl: string;
  gatewayUrl: string;
  /** Lets the gateway tell clients about a message the bot sent (MESSAGE_CREATE of its own messages). */
  onBotMessage(msg: DiscordMessage): void;
  onBotEdit(msg: DiscordMessage): void;
  onBotDelete(channelId: string, messageId: string): void;
}

const MAX_CONTENT = 2000;
const error = (status: number, code: number, msg: string, extra: Record<string, unknown> = {}): RestAnswer => ({ status, body: { message: msg, code, ...extra } });
const unknownChannel = () => error(404, 10003, 'Unknown Channel');
const unknownMessage = () => error(404, 10008, 'Unknown Message');

/** Parses a JSON or multipart (`files[n]` + `payload_json`) body the way Discord does. */
async function parseBody(req: IncomingMessage, raw: Buffer): Promise<Pick<RecordedCall, 'body' | 'files'>> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json') && raw.length > 0) return { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
  if (!type.startsWith('multipart/form-data')) return { body: undefined, files: [] };
  const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
  const files: RecordedCall['files'] = [];
  let body: Record<string, unknown> | undefined;
  for (const [field, value] of form) {
    if (typeof value === 'string') {
      if (field === 'payload_json') body = JSON.parse(value) as Record<string, unknown>;
      continue;
    }
    const data = Buffer.from(await value.arrayBuffer());
    files.push({ field, filename: value.name, contentType: value.type || 'application/octet-stream', size: data.length, data });
  }
  return { body, files };
}

function failureAnswer(failure: InjectedFailure): RestAnswer {
  switch (failure.kind) {
    case 'rate-limit':
      return {
        status: 429,
        headers: {
          'retry-after': String(failure.retryAfterSeconds),
          'x-ratelimit-scope': failure.global ? 'global' : 'user',
          ...(failure.global ? { 'x-ratelimit-global': 'true' } : {}),
        },
        body: { message: 'You are being rate limited.', retry_after: failure.retryAfterSeconds, global: failure.global ?? false },
      };
    case 'missing-permissions':
      return error(403, 50013, 'Missing Permissions');
    case 'status':
      return error(failure.status, failure.code, failure.message);
  }
}

type Handler = (ctx: RestContext, m: RegExpExecArray, call: RecordedCall) => RestAnswer;

function createMessage(ctx: RestContext, channelId: string, call: RecordedCall): RestAnswer {
  const channel = ctx.state.channels.get(channelId);
  if (!channel) return unknownChannel();
  const body = call.body ?? {};
  const content = typeof body.content === 'string' ? body.content : '';
  if (content.length > MAX_CONTENT) {
    return error(400, 50035, 'Invalid Form Body', { errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_CONTENT} or fewer in length.` }] } } });
  }
  if (!content && call.files.length === 0 && !body.poll && !(Array.isArray(body.embeds) && body.embeds.length > 0) && !body.sticker_ids) {
    return error(400, 50006, 'Cannot send an empty message');
  }
  const attachments: DiscordAttachment[] = call.files.map((f) => ctx.state.attach(ctx.baseUrl, channelId, { filename: f.filename, contentType: f.contentType, data: f.data }));
  const reference = body.message_reference as { message_id?: string } | undefined;
  if (reference?.message_id && !ctx.state.findMessage(channelId, reference.message_id)) {
    return error(400, 50035, 'Invalid Form Body', { errors: { message_reference: { _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }] } } });
  }
  const msg = message({
    id: ctx.state.nextId(),
    channel_id: channelId,
    ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
    author: ctx.state.bot,
    content,
    attachments,
    ...(reference?.message_id ? { type: 19, message_reference: { message_id: reference.message_id, channel_id: channelId } } : {}),
    ...(body.poll ? { poll: body.poll } : {}),
  });
  ctx.state.store(msg);
  ctx.onBotMessage(msg);
  return { status: 200, body: msg };
}

const routes: Array<[string, RegExp, Handler]> = [
  ['GET', /^\/gateway\/bot$/, (ctx) => ({ status: 200, body: { url: ctx.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } })],
  ['GET', /^\/gateway$/, (ctx) => ({ status: 200, body: { url: ctx.gatewayUrl } })],
  ['GET', /^\/users\/@me$/, (ctx) => ({ status: 200, body: ctx.state.bot })],
  [
    'PATCH',
    /^\/users\/@me$/,
    (ctx, _m, call) => {
      const body = call.body ?? {};
      if (typeof body.username === 'string') {
        if (body.username.length < 2 || body.username.length > 32) return error(400, 50035, 'Invalid Form Body', { errors: { username: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 2 and 32 in length.' }] } } });
        ctx.state.bot.username = body.username;
      }
      if (typeof body.avatar === 'string') {
        if (!/^data:image\/(png|jpeg|gif|webp);base64,/.test(body.avatar)) return error(400, 50035, 'Invalid Form Body', { errors: { avatar: { _errors: [{ code: 'IMAGE_INVALID', message: 'Invalid image data' }] } } });
        ctx.state.bot.avatar = `a${ctx.state.nextId()}`;
      }
      return { status: 200, body: ctx.state.bot };
    },
  ],
  ['GET', /^\/users\/@me\/guilds$/, (ctx) => ({ status: 200, body: ctx.state.guilds.map((g) => ({ id: g.id, name: g.name, icon: null, owner: false, permissions: '0', features: [] })) })],
  [
    'POST',
    /^\/users\/@me\/channels$/,
    (ctx, _m, call) => {
      const recipient = String(call.body?.recipient_id ?? '');
      if (!ctx.state.users.has(recipient)) return error(400, 50035, 'Invalid Form Body', { errors: { recipient_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Unknown user' }] } } });
      return { status: 200, body: ctx.state.dmChannel(recipient) };
    },
  ],
  [
    'GET',
    /^\/users\/(\d+)$/,
    (ctx, m) => {
      const u = ctx.state.users.get(m[1]!);
      return u ? { status: 200, body: u } : error(404, 10013, 'Unknown User');
    },
  ],
  [
    'GET',
    /^\/channels\/(\d+)$/,
    (ctx, m) => {
      const c = ctx.state.channels.get(m[1]!);
      return c ? { status: 200, body: c } : unknownChannel();
    },
  ],
  ['POST', /^\/channels\/(\d+)\/messages$/, (ctx, m, call) => createMessage(ctx, m[1]!, call)],
  [
    'GET',
    /^\/channels\/(\d+)\/messages$/,
    (ctx, m, call) => {
      if (!ctx.state.channels.has(m[1]!)) return unknownChannel();
      const limit = Math.min(Math.max(Number(call.query.limit ?? 50) || 50, 1), 100);
      let list = [...(ctx.state.messages.get(m[1]!) ?? [])].reverse(); // newest first, as Discord answers
      if (call.query.before) list = list.filter((msg) => BigInt(msg.id) < BigInt(call.query.before!));
      if (call.query.after) list = list.filter((msg) => BigInt(msg.id) > BigInt(call.query.after!));
      return { status: 200, body: list.slice(0, limit) };
    },
  ],
  [
    'PATCH',
    /^\/channels\/(\d+)\/messages\/([^/]+)$/,
    (ctx, m, call) => {
      const msg = ctx.state.findMessage(m[1]!, m[2]!);
      if (!msg) return unknownMessage();
      if (msg.author.id !== ctx.state.bot.id) return error(403, 50005, 'Cannot edit a message authored by another user');
      if (typeof call.body?.content === 'string') {
        if (call.body.content.length > MAX_CONTENT) return error(400, 50035, 'Invalid Form Body');
        msg.content = call.body.content;
      }
      msg.edited_timestamp = new Date().toISOString();
      ctx.onBotEdit(msg);
      return { status: 200, body: msg };
    },
  ],
  [
    'DELETE',
    /^\/channels\/(\d+)\/messages\/([^/]+)$/,
    (ctx, m) => {
      if (!ctx.state.removeMessage(m[1]!, m[2]!)) return unknownMessage();
      ctx.onBotDelete(m[1]!, m[2]!);
      return { status: 204 };
    },
  ],
  [
    'PUT',
    /^\/channels\/(\d+)\/messages\/([^/]+)\/reactions\/([^/]+)\/@me$/,
    (ctx, m) => (ctx.state.findMessage(m[1]!, m[2]!) ? { status: 204 } : unknownMessage()),
  ],
  [
    'DELETE',
    /^\/channels\/(\d+)\/messages\/([^/]+)\/reactions\/([^/]+)\/@me$/,
    (ctx, m) => (ctx.state.findMessage(m[1]!, m[2]!) ? { status: 204 } : unknownMessage()),
  ],
  ['POST', /^\/channels\/(\d+)\/typing$/, (ctx, m) => (ctx.state.channels.has(m[1]!) ? { status: 204 } : unknownChannel())],
  [
    'GET',
    /^\/guilds\/(\d+)\/channels$/,
    (ctx, m) => {
      const g = ctx.state.guilds.find((x) => x.id === m[1]);
      return g ? { status: 200, body: g.channels } : error(404, 10004, 'Unknown Guild');
    },
  ],
  [
    'GET',
    /^\/guilds\/(\d+)\/threads\/active$/,
    (ctx, m) => {
      const g = ctx.state.guilds.find((x) => x.id === m[1]);
      return g ? { status: 200, body: { threads: g.threads, members: [] } } : error(404, 10004, 'Unknown Guild');
    },
  ],
];

/** Serves one REST request under `/api/v10`, records it and answers like Discord would. */
export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse, route: string, query: URLSearchParams): Promise<void> {
  const raw = await readBody(req);
  const method = req.method ?? 'GET';
  const call: RecordedCall = {
    method,
    route,
    query: Object.fromEntries(query),
    authorized: req.headers.authorization === `Bot ${ctx.token}`,
    body: undefined,
    files: [],
    status: 0,
    at: Date.now(),
  };
  let answer: RestAnswer;
  try {
    Object.assign(call, await parseBody(req, raw));
    answer = answerFor(ctx, call);
  } catch (err) {
    answer = error(400, 50109, `The request body contains invalid JSON: ${(err as Error).message}`);
  }
  call.status = answer.status;
  ctx.state.calls.push(call);
  writeAnswer(res, answer);
}

function answerFor(ctx: RestContext, call: RecordedCall): RestAnswer {
  if (!call.authorized) return error(401, 0, '401: Unauthorized');
  const failure = ctx.state.takeFailure(call.method, call.route);
  if (failure) return failureAnswer(failure);
  for (const [method, pattern, handler] of routes) {
    if (method !== call.method) continue;
    const m = pattern.exec(call.route);
    if (m) return handler(ctx, m, call);
  }
  return error(404, 0, `404: Not Found (${call.method} ${call.route})`);
}

/** Writes an answer; a 204 goes out without a content-type, since discord.js parses bodies by content-type. */
export function writeAnswer(res: ServerResponse, answer: RestAnswer): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status, answer.headers ?? {});
    res.end();
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}
