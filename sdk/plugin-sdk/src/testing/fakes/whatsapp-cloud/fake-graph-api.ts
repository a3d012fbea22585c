import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body.js';
import { Waiters } from '../waiters.js';
import { graphErrors, type GraphErrorResponse, type GraphFailure } from './graph-errors.js';
import { outboundProblem, type GraphMessageType } from './outbound-validation.js';

export interface FakeGraphApiOptions {
  /** The only Bearer token the fake accepts. */
  accessToken?: string;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
}

/** One request the fake received. The token itself is never recorded, only whether it was right. */
export interface GraphCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorized: boolean;
  /** Parsed JSON, the multipart fields (files as `{filename, mimeType, size}`), or undefined. */
  body: unknown;
  status: number;
}

/** A message the instance sent through `POST /{v}/{phone_number_id}/messages`, as accepted. */
export interface SentGraphMessage {
  /** The wamid the fake answered with. */
  id: string;
  to: string;
  type: GraphMessageType;
  /** The whole request body. */
  body: Record<string, any>;
  /** The text body or the media caption, when there is one. */
  text?: string;
  /** `context.message_id`: the message this one replies to. */
  replyTo?: string;
}

export interface StoredGraphMedia {
  id: string;
  mimeType: string;
  filename?: string;
  bytes: Buffer;
  /** Hex SHA-256 of the bytes, as `GET /{media_id}` reports it. */
  sha256: string;
}

export interface FakeGraphApi {
  /** Base URL: use it as the plugin's Graph base URL (no version, no trailing slash). */
  url: string;
  accessToken: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  /** `metadata` as it appears in every webhook notification for this number. */
  metadata: { display_phone_number: string; phone_number_id: string };
  /** Every request, oldest first. */
  calls: GraphCall[];
  /** Every accepted message send (read receipts excluded), oldest first. */
  messages: SentGraphMessage[];
  /** Message ids marked as read with `{status: 'read'}`, oldest first. */
  readReceipts: string[];
  /** Resolves with the next accepted message not yet taken; rejects after `timeoutMs`. */
  nextMessage(timeoutMs?: number): Promise<SentGraphMessage>;
  /** Stores a file the way a user's attachment is stored: returns its media id for a webhook payload. */
  addMedia(input: { data: Uint8Array; mimeType: string; filename?: string }): StoredGraphMedia;
  /** An uploaded or added media file, by id. */
  media(id: string): StoredGraphMedia | undefined;
  /** Makes the next `count` message sends fail with Meta's answer for `failure`. */
  failNext(failure: GraphFailure, count?: number): void;
  close(): Promise<void>;
}

const API_PATH = /^\/(v\d+\.\d+)\/([^/]+)(?:\/(messages|media))?$/;
const DOWNLOAD_PATH = '/whatsapp_business/attachments/';

/**
 * A loopback fake of the WhatsApp Business Cloud API (Meta Graph API) on 127.0.0.1: message
 * sends of every type with Meta's validation and error shapes, read receipts, media upload
 * (multipart), media lookup and Bearer-protected download, and the phone number lookup used to
 * check a token. It records every call. Webhook delivery lives in `webhook-delivery.ts`.
 */
export async function startFakeGraphApi(options: FakeGraphApiOptions = {}): Promise<FakeGraphApi> {
  const accessToken = options.accessToken ?? `EAAfake${randomBytes(12).toString('hex')}`;
  const phoneNumberId = options.phoneNumberId ?? '106540352242922';
  const displayPhoneNumber = options.displayPhoneNumber ?? '15550001111';
  const verifiedName = options.verifiedName ?? 'Omni Test Business';
  const calls: GraphCall[] = [];
  const messages: SentGraphMessage[] = [];
  const readReceipts: string[] = [];
  const stored = new Map<string, StoredGraphMedia>();
  const failures: GraphFailure[] = [];
  const waiting = new Waiters();
  let taken = 0;
  let seq = 0;
  let baseUrl = '';

  const wamid = () => `wamid.HBgL${Buffer.from(`fake-${Date.now()}-${++seq}`).toString('base64url')}`;
  const addMedia = (input: { data: Uint8Array; mimeType: string; filename?: string }): StoredGraphMedia => {
    const bytes = Buffer.from(input.data);
    const media = { id: String(1_000_000_000_000 + ++seq), mimeType: input.mimeType, filename: input.filename, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    stored.set(media.id, media);
    return media;
  };

  async function route(req: IncomingMessage, raw: Buffer, url: URL, call: GraphCall): Promise<{ status: number; body: unknown; headers?: Record<string, string>; bytes?: Buffer }> {
    if (!call.authorized) return graphErrors.invalidToken();

    if (req.method === 'GET' && url.pathname === DOWNLOAD_PATH) {
      const media = stored.get(url.searchParams.get('mid') ?? '');
      if (!media) return { status: 404, body: { error: 'not found' } };
      return { status: 200, body: undefined, bytes: media.bytes, headers: { 'content-type': media.mimeType } };
    }

    const match = API_PATH.exec(url.pathname);
    if (!match) return graphErrors.unsupportedRequest(req.method ?? 'GET', url.pathname);
    const [, , nodeId, edge] = match as unknown as [string, string, string, string | undefined];

    if (req.method === 'GET' && !edge && nodeId === phoneNumberId) {
      return { status: 200, body: { verified_name: verifiedName, display_phone_number: displayPhoneNumber, id: phoneNumberId, quality_rating: 'GREEN' } };
    }
    if (req.method === 'GET' && !edge && stored.has(nodeId)) {
      const media = stored.get(nodeId)!;
      const link = `${baseUrl}${DOWNLOAD_PATH}?mid=${media.id}&ext=${Date.now()}&hash=${randomBytes(6).toString('hex')}`;
      return { status: 200, body: { messaging_product: 'whatsapp', url: link, mime_type: media.mimeType, sha256: media.sha256, file_size: media.bytes.length, id: media.id } };
    }
    if (req.method === 'POST' && edge === 'media' && nodeId === phoneNumberId) {
      const form = await readForm(req, raw);
      const file = form?.get('file');
      if (!form || form.get('messaging_product') !== 'whatsapp') return graphErrors.invalidParameter('The parameter messaging_product is required.');
      if (!file || typeof file === 'string') return graphErrors.invalidParameter('The parameter file is required.');
      const mimeType = String(form.get('type') ?? file.type ?? '') || 'application/octet-stream';
      const media = addMedia({ data: new Uint8Array(await file.arrayBuffer()), mimeType, filename: file.name });
      return { status: 200, body: { id: media.id } };
    }
    if (req.method === 'POST' && edge === 'messages' && nodeId === phoneNumberId) {
      const body = call.body as Record<string, any> | undefined;
      if (body?.status === 'read') {
        if (typeof body.message_id !== 'string') return graphErrors.invalidParameter('Param message_id is required.');
        readReceipts.push(body.message_id);
        return { status: 200, body: { success: true } };
      }
      const failure = failures.shift();
      if (failure) return graphErrors.failure(failure);
      const problem = outboundProblem(body, (id) => stored.has(id));
      if (problem) return graphErrors.invalidParameter(problem);
      const type = (body!.type ?? 'text') as GraphMessageType;
      const part = body![type];
      const sent: SentGraphMessage = {
        id: wamid(),
        to: String(body!.to).replace(/^\+/, ''),
        type,
        body: body!,
        text: type === 'text' ? part.body : typeof part?.caption === 'string' ? part.caption : undefined,
        replyTo: body!.context?.message_id,
      };
      messages.push(sent);
      waiting.wake();
      return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: body!.to, wa_id: sent.to }], messages: [{ id: sent.id, message_status: 'accepted' }] } };
    }
    return graphErrors.unsupportedRequest(req.method ?? 'GET', url.pathname);
  }

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = new URL(req.url ?? '/', 'http://fake-graph');
      const call: GraphCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorized: req.headers.authorization === `Bearer ${accessToken}`,
        body: undefined,
        status: 0,
      };
      calls.push(call);
      describeBody(req, raw)
        .then((body) => {
          call.body = body;
          return route(req, raw, url, call);
        })
        .then((answer) => reply(res, call, answer))
        .catch((err: unknown) => reply(res, call, { status: 500, body: { error: { message: String(err), type: 'FakeError', code: 1, fbtrace_id: 'fake' } } }));
    }, () => res.destroy()); // the client went away mid-body: nothing to answer
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    accessToken,
    phoneNumberId,
    displayPhoneNumber,
    metadata: { display_phone_number: displayPhoneNumber, phone_number_id: phoneNumberId },
    calls,
    messages,
    readReceipts,
    nextMessage(timeoutMs = 5_000) {
      return waiting.until(() => (taken < messages.length ? messages[taken++] : undefined), timeoutMs, `no message sent to the fake Graph API within ${timeoutMs} ms`);
    },
    addMedia,
    media: (id) => stored.get(id),
    failNext(failure, count = 1) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, call: GraphCall, answer: { status: number; body: unknown; headers?: Record<string, string>; bytes?: Buffer } | GraphErrorResponse) {
  call.status = answer.status;
  const bytes = 'bytes' in answer ? answer.bytes : undefined;
  if (bytes) {
    res.writeHead(answer.status, { 'content-length': bytes.length, ...answer.headers });
    res.end(bytes);
    return;
  }
  const json = JSON.stringify(answer.body ?? {});
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(json);
}

async function readForm(req: IncomingMessage, raw: Buffer): Promise<FormData | undefined> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return undefined;
  try {
    return await new Request('http://fake-graph/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
  } catch {
    return undefined;
  }
}

/** The body as recorded: JSON parsed, multipart fields listed with file sizes instead of bytes. */
async function describeBody(req: IncomingMessage, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      return raw.toString('utf8');
    }
  }
  const form = await readForm(req, raw);
  if (!form) return raw.toString('utf8');
  const fields: Record<string, unknown> = {};
  for (const [key, value] of form) fields[key] = typeof value === 'string' ? value : { filename: value.name, mimeType: value.type, size: value.size };
  return fields;
}
