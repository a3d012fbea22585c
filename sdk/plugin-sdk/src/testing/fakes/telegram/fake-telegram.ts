import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BOT_METHODS, type MethodContext } from './bot-methods.js';
import type { UploadedFile } from './multipart.js';
import { readRequestParams } from './request-params.js';
import type { TgChat, TgMessage, TgMessageEntity, TgResponse, TgUpdate, TgUser } from './telegram-types.js';
import { TelegramWorld, TgApiError } from './telegram-world.js';
import { Waiters } from '../waiters.js';

export interface FakeTelegramOptions {
  /** The token the fake accepts; any other gets 401 Unauthorized. Default `123456:TEST-token`. */
  token?: string;
  /** The bot's own user. */
  bot?: { id?: number; first_name?: string; username?: string };
  /** Caps how long getUpdates holds a request (the client's `timeout` otherwise), in ms. */
  maxPollMs?: number;
  /** Like Telegram, a webhook POST that does not get a 2xx is retried: this many attempts in all (default 5)... */
  webhookMaxAttempts?: number;
  /** ...this far apart, in ms (default 250). */
  webhookRetryDelayMs?: number;
}

/** One Bot API call the fake received. */
export interface TelegramCall {
  method: string;
  /** Whether the token was the fake's. */
  authorized: boolean;
  params: Record<string, unknown>;
  /** Uploaded files by parameter name (`photo`, `voice`, ...). */
  files: Record<string, UploadedFile>;
  /** The answer the fake gave. */
  response: TgResponse;
  at: number;
}

export interface InjectedError {
  error_code: number;
  description: string;
  retry_after?: number;
}

/** A file a fake user sends. */
export interface UserFile {
  data: Buffer;
  mimeType?: string;
  fileName?: string;
}

/** A message a fake user sends; give one content field (text, photo, voice, ...). */
export interface UserMessageInput {
  from: TgUser;
  /** Default: the private chat with `from`. */
  chat?: TgChat;
  text?: string;
  entities?: TgMessageEntity[];
  caption?: string;
  replyTo?: TgMessage;
  /** Forum topic id (`message_thread_id`). */
  threadId?: number;
  photo?: UserFile;
  voice?: UserFile;
  audio?: UserFile;
  video?: UserFile;
  document?: UserFile;
  sticker?: UserFile & { emoji?: string };
  location?: { latitude: number; longitude: number };
  contact?: { phone_number: string; first_name: string; last_name?: string; user_id?: number };
}

export interface FakeTelegram {
  /** Use as grammY's `client.apiRoot` (or the channel's `apiRoot`). */
  apiRoot: string;
  token: string;
  bot: TgUser;
  /** Every call, oldest first. */
  calls: TelegramCall[];
  /** Calls to one method. */
  callsTo(method: string): TelegramCall[];
  /** The first call not yet taken that matches; waits for it up to `timeoutMs` (default 5 s). */
  takeCall(match: (call: TelegramCall) => boolean, timeoutMs?: number): Promise<TelegramCall>;
  /** The platform side: users, chats, messages and files. */
  world: TelegramWorld;
  user(input?: Partial<TgUser>): TgUser;
  group(input?: { title?: string; id?: number; forum?: boolean }): TgChat;
  /** Registers bytes as a file that getFile and /file/bot<token>/<path> serve. */
  putFile: TelegramWorld['putFile'];
  /** A user sends a message; resolves with it once the bot acknowledged the update. */
  userMessage(input: UserMessageInput, options?: DeliverOptions): Promise<TgMessage>;
  /** A user edits one of their messages (an `edited_message` update). */
  userEdit(message: TgMessage, text: string, options?: DeliverOptions): Promise<TgMessage>;
  /** A user reacts to a message (a `message_reaction` update); an empty emoji list removes reactions. */
  userReaction(input: { from: TgUser; message: TgMessage; emoji: string[]; oldEmoji?: string[] }, options?: DeliverOptions): Promise<void>;
  /**
   * Delivers an update: queued for getUpdates, or POSTed to the webhook when one is set.
   * Resolves once acknowledged (a later getUpdates offset, or a 2xx webhook answer).
   */
  deliver(update: Omit<TgUpdate, 'update_id'>, options?: DeliverOptions): Promise<TgUpdate>;
  /** The webhook set with setWebhook, if any. */
  readonly webhook: { url: string; secretToken?: string } | undefined;
  /** Webhook POSTs the fake made (retries included), with the status it got back (0: no answer). */
  webhookDeliveries: Array<{ update: TgUpdate; status: number }>;
  /** The bot profile set with setMyName / setMyDescription / setMyShortDescription. */
  profile: { name?: string; description?: string; shortDescription?: string };
  /** Makes the next `times` calls to `method` fail with this error (429 with retry_after, 403, ...). */
  failNext(method: string, error: InjectedError, times?: number): void;
  /** While offline, every connection is cut before an answer: the network is down. */
  setOffline(offline: boolean): void;
  /** Updates waiting for getUpdates. */
  pendingUpdates(): number;
  close(): Promise<void>;
}

export interface DeliverOptions {
  /** Give up waiting for the acknowledgement after this long (default 10 s). */
  timeoutMs?: number;
}

interface Poller {
  res: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

const json = (res: ServerResponse, status: number, body: TgResponse) => {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const errorBody = (err: TgApiError): TgResponse => ({
  ok: false,
  error_code: err.errorCode,
  description: err.description,
  ...(err.parameters ? { parameters: err.parameters } : {}),
});

const MEDIA_FOLDERS = { photo: 'photos', voice: 'voice', audio: 'music', video: 'videos', document: 'documents', sticker: 'stickers' } as const;

/**
 * A loopback fake of the Telegram Bot API (https://core.telegram.org/bots/api) on node:http at
 * 127.0.0.1: real long polling with offsets, webhooks with `X-Telegram-Bot-Api-Secret-Token`,
 * sends of every kind, files, reactions, edits and deletes, 401 on a wrong token, and injected
 * 429/403 errors. It records every call. Works with grammY (`client.apiRoot`) and any other client.
 */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456:TEST-token';
  const bot: TgUser = { id: options.bot?.id ?? (Number(token.split(':')[0]) || 123456), is_bot: true, first_name: options.bot?.first_name ?? 'Fake Bot', username: options.bot?.username ?? 'fake_omni_bot' };
  const world = new TelegramWorld(bot);
  const calls: TelegramCall[] = [];
  const taken = new Set<TelegramCall>();
  const callWaiters = new Waiters();
  const queue: TgUpdate[] = [];
  /** Who waits for each queued update's acknowledgement. */
  const acks = new Map<number, { done(): void; cancel(): void }>();
  const acked = (updateId: number) => {
    acks.get(updateId)?.done();
    acks.delete(updateId);
  };
  const injected = new Map<string, Array<InjectedError>>();
  const webhookDeliveries: Array<{ update: TgUpdate; status: number }> = [];
  const profile: FakeTelegram['profile'] = {};
  const sockets = new Set<Socket>();
  let webhook: { url: string; secretToken?: string } | undefined;
  let poller: Poller | undefined;
  let nextUpdateId = 1;
  let offline = false;
  let closed = false;

  const record = (call: TelegramCall) => {
    calls.push(call);
    callWaiters.wake();
  };

  /** Drops updates below `offset`: the client has them. */
  const acknowledge = (offset: number) => {
    while (queue.length > 0 && queue[0]!.update_id < offset) {
      acked(queue.shift()!.update_id);
    }
  };

  const answerPoller = () => {
    if (!poller) return;
    const { res, offset, limit, timer } = poller;
    poller = undefined;
    clearTimeout(timer);
    const response: TgResponse = { ok: true, result: queue.filter((u) => u.update_id >= offset).slice(0, limit) };
    json(res, 200, response);
  };

  const setWebhook: MethodContext['setWebhook'] = (next, dropPending) => {
    webhook = next;
    if (dropPending) acknowledge(Number.MAX_SAFE_INTEGER);
    if (webhook) {
      if (poller) {
        const old = poller;
        poller = undefined;
        clearTimeout(old.timer);
        json(old.res, 409, { ok: false, error_code: 409, description: 'Conflict: terminated by setWebhook request' });
      }
      for (const update of [...queue]) void postToWebhook(update);
    }
  };

  async function postToWebhook(update: TgUpdate, attempt = 1): Promise<void> {
    const target = webhook;
    if (!target || closed) return;
    let status = 0;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(target.secretToken ? { 'x-telegram-bot-api-secret-token': target.secretToken } : {}) },
        body: JSON.stringify(update),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    webhookDeliveries.push({ update, status });
    if (status >= 200 && status < 300) {
      const index = queue.indexOf(update);
      if (index !== -1) queue.splice(index, 1);
      acked(update.update_id);
    } else if (attempt < (options.webhookMaxAttempts ?? 5)) {
      const retry = setTimeout(() => void postToWebhook(update, attempt + 1), options.webhookRetryDelayMs ?? 250);
      retry.unref();
    }
  }

  async function getUpdates(req: IncomingMessage, res: ServerResponse, params: Record<string, unknown>): Promise<TgResponse | undefined> {
    if (webhook) return { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" };
    const offset = Number(params.offset ?? 0);
    if (offset > 0) acknowledge(offset);
    const limit = Math.min(Math.max(Number(params.limit ?? 100), 1), 100);
    const timeoutMs = Math.min(Math.max(Number(params.timeout ?? 0), 0) * 1000, options.maxPollMs ?? Number.POSITIVE_INFINITY);
    const ready = queue.filter((u) => u.update_id >= offset).slice(0, limit);
    if (ready.length > 0 || timeoutMs === 0 || closed) return { ok: true, result: ready };
    if (poller) {
      const old = poller;
      poller = undefined;
      clearTimeout(old.timer);
      json(old.res, 409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    }
    const mine: Poller = { res, offset, limit, timer: setTimeout(() => answerPoller(), timeoutMs) };
    poller = mine;
    req.socket.once('close', () => {
      if (poller === mine) {
        clearTimeout(mine.timer);
        poller = undefined;
      }
    });
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      if (file[1] !== token) return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const stored = world.fileByPath(decodeURIComponent(file[2]!));
      if (!stored) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': stored.mimeType ?? 'application/octet-stream', 'content-length': stored.data.length });
      res.end(stored.data);
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, callToken, method] = match as unknown as [string, string, string];
    let parsed;
    try {
      parsed = await readRequestParams(req, url);
    } catch (err) {
      return json(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${err instanceof Error ? err.message : String(err)}` });
    }
    const call: TelegramCall = { method, authorized: callToken === token, params: parsed.params, files: parsed.files, response: { ok: true, result: true }, at: Date.now() };
    const answer = (status: number, body: TgResponse) => {
      call.response = body;
      record(call);
      json(res, status, body);
    };
    if (!call.authorized) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const failure = injected.get(method)?.shift();
    if (failure) {
      const { retry_after, ...rest } = failure;
      return answer(failure.error_code, { ok: false, ...rest, ...(retry_after !== undefined ? { parameters: { retry_after } } : {}) });
    }
    if (method === 'getUpdates') {
      const immediate = await getUpdates(req, res, parsed.params);
      if (immediate) return answer(immediate.ok ? 200 : immediate.error_code, immediate);
      res.once('finish', () => record(call));
      return;
    }
    const handler = BOT_METHODS[method];
    if (!handler) return answer(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    try {
      const result = handler({ params: parsed.params, files: parsed.files, world, webhook, setWebhook, pendingUpdates: () => queue.length, profile });
      answer(200, { ok: true, result });
    } catch (err) {
      if (err instanceof TgApiError) return answer(err.errorCode, errorBody(err));
      answer(500, { ok: false, error_code: 500, description: `Internal Server Error: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  const server = createServer((req, res) => {
    if (offline) {
      req.socket.destroy();
      return;
    }
    handle(req, res).catch((err: unknown) => json(res, 500, { ok: false, error_code: 500, description: String(err) }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const deliver: FakeTelegram['deliver'] = (partial, deliverOptions = {}) => {
    const update = { update_id: nextUpdateId++, ...partial } as TgUpdate;
    const acknowledged = new Promise<TgUpdate>((resolve, reject) => {
      const timer = setTimeout(() => {
        acks.delete(update.update_id);
        reject(new Error(`fake Telegram: update ${update.update_id} was not acknowledged within ${deliverOptions.timeoutMs ?? 10_000} ms`));
      }, deliverOptions.timeoutMs ?? 10_000);
      acks.set(update.update_id, {
        done: () => {
          clearTimeout(timer);
          resolve(update);
        },
        cancel: () => {
          clearTimeout(timer);
          reject(new Error('fake Telegram closed before the update was acknowledged'));
        },
      });
    });
    queue.push(update);
    if (webhook) void postToWebhook(update);
    else answerPoller();
    return acknowledged;
  };

  const userMessage: FakeTelegram['userMessage'] = async (input, deliverOptions) => {
    const chat = input.chat ?? world.privateChat(input.from);
    const fields: Partial<TgMessage> = {};
    if (input.text !== undefined) Object.assign(fields, { text: input.text }, input.entities ? { entities: input.entities } : {});
    if (input.caption !== undefined) fields.caption = input.caption;
    if (input.replyTo) fields.reply_to_message = input.replyTo;
    if (input.threadId !== undefined) Object.assign(fields, { message_thread_id: input.threadId, is_topic_message: true });
    for (const kind of Object.keys(MEDIA_FOLDERS) as Array<keyof typeof MEDIA_FOLDERS>) {
      const media = input[kind];
      if (!media) continue;
      const ext = media.fileName ? (/\.[A-Za-z0-9]+$/.exec(media.fileName)?.[0] ?? '') : '';
      const f = world.putFile(media.data, { mimeType: media.mimeType, folder: MEDIA_FOLDERS[kind], extension: ext });
      if (kind === 'photo') fields.photo = [{ ...f, file_size: f.file_size, width: 1, height: 1 }];
      else if (kind === 'sticker') fields.sticker = { ...f, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, ...(input.sticker?.emoji ? { emoji: input.sticker.emoji } : {}) };
      else fields[kind] = { ...f, ...(media.mimeType ? { mime_type: media.mimeType } : {}), ...(media.fileName ? { file_name: media.fileName } : {}) };
    }
    if (input.location) fields.location = input.location;
    if (input.contact) fields.contact = input.contact;
    const message = world.addMessage({ chat, from: input.from, ...fields });
    await deliver({ message }, deliverOptions);
    return message;
  };

  return {
    apiRoot,
    token,
    bot,
    calls,
    world,
    webhookDeliveries,
    profile,
    get webhook() {
      return webhook;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    takeCall: (matchCall, timeoutMs = 5_000) =>
      callWaiters.until(
        () => {
          const found = calls.find((c) => !taken.has(c) && matchCall(c));
          if (found) taken.add(found);
          return found;
        },
        timeoutMs,
        `fake Telegram: no matching call within ${timeoutMs} ms`,
      ),
    user: (input) => world.user(input),
    group: (input) => world.group(input),
    putFile: (data, fileOptions) => world.putFile(data, fileOptions),
    deliver,
    userMessage,
    userEdit: async (message, text, deliverOptions) => {
      Object.assign(message, { text, edit_date: Math.floor(Date.now() / 1000) });
      await deliver({ edited_message: { ...message } }, deliverOptions);
      return message;
    },
    userReaction: async ({ from, message, emoji, oldEmoji = [] }, deliverOptions) => {
      const toReactions = (list: string[]) => list.map((e) => ({ type: 'emoji' as const, emoji: e }));
      await deliver({ message_reaction: { chat: message.chat, message_id: message.message_id, user: from, date: Math.floor(Date.now() / 1000), old_reaction: toReactions(oldEmoji), new_reaction: toReactions(emoji) } }, deliverOptions);
    },
    failNext: (method, error, times = 1) => {
      const list = injected.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(error);
      injected.set(method, list);
    },
    setOffline: (value) => {
      offline = value;
      if (value) {
        if (poller) clearTimeout(poller.timer);
        poller = undefined;
        for (const socket of sockets) socket.destroy();
      }
    },
    pendingUpdates: () => queue.length,
    close: async () => {
      closed = true;
      answerPoller();
      for (const ack of acks.values()) ack.cancel();
      acks.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
