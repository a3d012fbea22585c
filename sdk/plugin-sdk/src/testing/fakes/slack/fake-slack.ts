import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackEventFactory, type SlackEventPayload } from './events.js';
import { signSlackRequest } from './signature.js';
import { FakeSocketMode } from './socket-mode.js';
import type { FakeSlackFile, FakeSlackOptions, FakeSlackUser, InjectedFailure, SlackApiCall } from './types.js';
import { APP_METHODS, BOT_METHODS, type WebApiAnswer, type WebApiContext } from './web-api.js';
import { FakeSlackWorkspace } from './workspace.js';
import { readBody } from '../read-body.js';
import { Waiters } from '../waiters.js';

export interface DeliverOptions {
  /** Unix seconds for X-Slack-Request-Timestamp (default: now). */
  timestamp?: number;
  /** Sign with this secret instead of the fake's. */
  signingSecret?: string;
  /** Send a signature that does not match. */
  badSignature?: boolean;
  /** Sets X-Slack-Retry-Num and X-Slack-Retry-Reason, as Slack's redeliveries do. */
  retryNum?: number;
}

export interface DeliveryResult {
  status: number;
  /** The answer parsed as JSON when it is JSON, else its text. */
  body: any;
}

/** A fake Slack on 127.0.0.1: Web API, file hosting, signed Events API delivery and Socket Mode. */
export interface FakeSlack {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Pass as `slackApiUrl` (`<url>/api/`). */
  apiUrl: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
  teamId: string;
  botUserId: string;
  botId: string;
  workspace: FakeSlackWorkspace;
  /** Builds Events API payloads and records their messages in the workspace. */
  events: SlackEventFactory;
  socketMode: FakeSocketMode;
  /** Every Web API call, in order. */
  calls: SlackApiCall[];
  /** Calls of one method. */
  callsTo(method: string): SlackApiCall[];
  /** Resolves with the first call at index `after` or later (default 0) that matches; rejects after `timeoutMs`. */
  waitForCall(match: string | ((call: SlackApiCall) => boolean), options?: { after?: number; timeoutMs?: number }): Promise<SlackApiCall>;
  /** Bytes posted to upload URLs, by file id. */
  uploads: Map<string, Buffer>;
  /** Makes the next call(s) of `method` fail as Slack would. */
  failNext(method: string, failure: InjectedFailure): void;
  /** Answers the next call(s) of `method` with 429 and `retry-after`. */
  rateLimitNext(method: string, retryAfterSec: number, times?: number): void;
  /** Makes the bot token invalid (`invalid_auth`), as a revoked token is. */
  revokeBotToken(): void;
  restoreBotToken(): void;
  addUser(user: FakeSlackUser): FakeSlackUser;
  addFile(input: { name: string; mimetype: string; data: Buffer | Uint8Array; title?: string }): FakeSlackFile;
  /** Signs and POSTs an Events API payload to `targetUrl`, as Slack delivers events. */
  deliver(targetUrl: string, payload: SlackEventPayload, options?: DeliverOptions): Promise<DeliveryResult>;
  close(): Promise<void>;
}

/** Form, JSON and multipart bodies as one field map (multipart file parts become Buffers). */
async function parseFields(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    const parsed = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    const fields: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) fields[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    return fields;
  }
  return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

function answer(res: ServerResponse, a: WebApiAnswer) {
  res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8', ...a.headers });
  res.end(JSON.stringify(a.body));
}

/** Starts a fake Slack on a random port of 127.0.0.1. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const identity = { teamId: options.teamId ?? 'TFAKE0001', botUserId: options.botUserId ?? 'UBOT0001', botId: options.botId ?? 'BBOT0001', botName: options.botName ?? 'omni-bot' };
  const botToken = options.botToken ?? 'xoxb-fake-bot-token';
  const appToken = options.appToken ?? 'xapp-fake-app-token';
  const signingSecret = options.signingSecret ?? 'fake-signing-secret-0123456789';
  let botTokenValid = true;
  let baseUrl = '';
  const calls: SlackApiCall[] = [];
  const waiters = new Waiters();
  const failures = new Map<string, InjectedFailure[]>();
  const uploads = new Map<string, Buffer>();
  const workspace = new FakeSlackWorkspace(() => baseUrl);
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) answer(res, { status: 500, body: { ok: false, error: 'fatal_error', detail: String(err) } });
    });
  });
  const socketMode = new FakeSocketMode(server, () => baseUrl);
  const ctx: WebApiContext = {
    workspace,
    identity,
    pendingUploads: new Map(),
    uploadUrl: (fileId) => `${baseUrl}/upload/v1/${fileId}`,
    socketUrl: () => socketMode.issueUrl(),
  };

  function record(call: SlackApiCall) {
    calls.push(call);
    waiters.wake();
  }

  function takeFailure(method: string): InjectedFailure | undefined {
    const queue = failures.get(method);
    const next = queue?.[0];
    if (!next) return undefined;
    next.times = (next.times ?? 1) - 1;
    if (next.times <= 0) queue.shift();
    return next;
  }

  function decide(method: string, token: string | undefined, params: Record<string, unknown>): WebApiAnswer {
    const bot = BOT_METHODS[method];
    const app = APP_METHODS[method];
    if (!bot && !app) return { status: 200, body: { ok: false, error: 'unknown_method' } };
    if (!token) return { status: 200, body: { ok: false, error: 'not_authed' } };
    const isBot = token === botToken && botTokenValid;
    const isApp = token === appToken;
    if (!isBot && !isApp) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    if ((bot && !isBot) || (app && !isApp)) return { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
    const failure = takeFailure(method);
    if (failure) {
      const status = failure.status ?? (failure.retryAfterSec !== undefined ? 429 : 200);
      return { status, body: { ok: false, error: failure.error, ...failure.extra }, headers: failure.retryAfterSec !== undefined ? { 'retry-after': String(failure.retryAfterSec) } : undefined };
    }
    return { status: 200, body: (bot ?? app)!(ctx, params) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) {
      const file = workspace.files.get(url.pathname.split('/')[2] ?? '');
      if (!file) return void res.writeHead(404).end('file not found');
      if (bearer(req) !== botToken || !botTokenValid) return void res.writeHead(403, { 'content-type': 'text/html' }).end('<html>sign in to download</html>');
      res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.size) });
      return void res.end(file.data);
    }
    if (req.method === 'POST' && url.pathname.startsWith('/upload/v1/')) {
      const fileId = url.pathname.split('/')[3] ?? '';
      const pending = ctx.pendingUploads.get(fileId);
      if (!pending) return void res.writeHead(404).end('unknown upload');
      const fields = (req.headers['content-type'] ?? '').startsWith('multipart/form-data') ? await parseFields(req, raw) : {};
      const file = Object.values(fields).find((v): v is Buffer => Buffer.isBuffer(v)) ?? raw;
      pending.data = file;
      uploads.set(fileId, file);
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${file.length}`);
    }
    if (req.method !== 'POST' || !url.pathname.startsWith('/api/')) return void res.writeHead(404).end('not found');
    const method = url.pathname.slice('/api/'.length);
    let params: Record<string, unknown>;
    try {
      params = await parseFields(req, raw);
    } catch {
      return answer(res, { status: 200, body: { ok: false, error: 'invalid_json' } });
    }
    const token = bearer(req) ?? (typeof params.token === 'string' ? params.token : undefined);
    const { token: _omit, ...rest } = params;
    const result = decide(method, token, rest);
    record({ method, token, params: rest, response: { status: result.status, body: result.body } });
    answer(res, result);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    botToken,
    appToken,
    signingSecret,
    ...identity,
    workspace,
    events: new SlackEventFactory(workspace, identity),
    socketMode,
    calls,
    uploads,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitForCall(match, { after = 0, timeoutMs = 5_000 } = {}) {
      const matches = typeof match === 'string' ? (c: SlackApiCall) => c.method === match : match;
      return waiters.until(() => calls.slice(after).find(matches), timeoutMs, `fake slack: no ${typeof match === 'string' ? match : 'matching'} call within ${timeoutMs} ms`);
    },
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), { ...failure }]);
    },
    rateLimitNext(method, retryAfterSec, times = 1) {
      failures.set(method, [...(failures.get(method) ?? []), { error: 'ratelimited', status: 429, retryAfterSec, times }]);
    },
    revokeBotToken: () => void (botTokenValid = false),
    restoreBotToken: () => void (botTokenValid = true),
    addUser: (user) => workspace.addUser(user),
    addFile: (input) => workspace.addFile(input),
    async deliver(targetUrl, payload, opts = {}) {
      const body = JSON.stringify(payload);
      const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
      const signature = signSlackRequest(opts.signingSecret ?? signingSecret, timestamp, body);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': opts.badSignature ? `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}` : signature,
      };
      if (opts.retryNum !== undefined) {
        headers['x-slack-retry-num'] = String(opts.retryNum);
        headers['x-slack-retry-reason'] = 'http_timeout';
      }
      const res = await fetch(targetUrl, { method: 'POST', headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
    close: () =>
      new Promise<void>((resolve) => {
        socketMode.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
