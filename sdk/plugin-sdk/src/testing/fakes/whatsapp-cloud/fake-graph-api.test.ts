import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraphApi, type FakeGraphApi } from './fake-graph-api.js';
import { deliverWebhook, escapeNonAscii, verifyWebhook } from './webhook-delivery.js';
import { inbound, messagesNotification, status, statusesNotification } from './webhook-payloads.js';

const json = (res: Response): Promise<any> => res.json();

describe('fake Graph API', () => {
  let graph: FakeGraphApi;
  const api = (path: string, init: RequestInit = {}, token = graph.accessToken) =>
    fetch(`${graph.url}/v23.0/${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) } });
  const sendJson = (body: unknown, token?: string) => api(`${graph.phoneNumberId}/messages`, { method: 'POST', body: JSON.stringify(body) }, token);

  beforeAll(async () => {
    graph = await startFakeGraphApi({ phoneNumberId: '1234567890' });
  });
  afterAll(() => graph.close());

  it("refuses a wrong token with Meta's OAuthException 190 and records the call without the token", async () => {
    const res = await sendJson({ messaging_product: 'whatsapp', to: '15551234567', type: 'text', text: { body: 'x' } }, 'EAAwrong');
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ error: { message: expect.stringContaining('Invalid OAuth access token'), type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } });
    const call = graph.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'POST', path: '/v23.0/1234567890/messages', authorized: false, status: 401 });
    expect(JSON.stringify(call)).not.toContain('EAAwrong');
    expect(graph.messages).toHaveLength(0);
  });

  it('describes the phone number for a token check', async () => {
    const res = await api(`${graph.phoneNumberId}?fields=verified_name,display_phone_number`);
    expect(await json(res)).toMatchObject({ id: '1234567890', display_phone_number: graph.displayPhoneNumber, verified_name: expect.any(String) });
  });

  it('accepts a text message, answers a wamid and hands it to nextMessage', async () => {
    const res = await sendJson({ messaging_product: 'whatsapp', to: '+15551234567', type: 'text', text: { body: 'hi' }, context: { message_id: 'wamid.IN' } });
    const body = await json(res);
    expect(body).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: '+15551234567', wa_id: '15551234567' }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(await graph.nextMessage()).toMatchObject({ id: body.messages[0].id, to: '15551234567', type: 'text', text: 'hi', replyTo: 'wamid.IN' });
  });

  it("refuses malformed sends with Meta's (#100) error and accepts none of them", async () => {
    const before = graph.messages.length;
    const bad = [
      { to: '15551234567', type: 'text', text: { body: 'no product' } },
      { messaging_product: 'whatsapp', to: 'not-a-number', type: 'text', text: { body: 'x' } },
      { messaging_product: 'whatsapp', to: '15551234567', type: 'text', text: {} },
      { messaging_product: 'whatsapp', to: '15551234567', type: 'image', image: { id: 'no-such-media' } },
      { messaging_product: 'whatsapp', to: '15551234567', type: 'image', image: {} },
      { messaging_product: 'whatsapp', to: '15551234567', type: 'contacts', contacts: [{ phones: [] }] },
      { messaging_product: 'whatsapp', to: '15551234567', type: 'poll', poll: {} },
    ];
    for (const body of bad) {
      const res = await sendJson(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error).toMatchObject({ code: 100, type: 'OAuthException' });
    }
    expect(graph.messages.length).toBe(before);
  });

  it('uploads media over multipart, describes it, and serves the bytes only with the token', async () => {
    const bytes = Buffer.from('OggS\0\x02hello');
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', 'audio/ogg');
    form.append('file', new Blob([bytes], { type: 'audio/ogg' }), 'note.ogg');
    const { id } = await json(await api(`${graph.phoneNumberId}/media`, { method: 'POST', body: form }));
    expect(graph.calls.at(-1)!.body).toEqual({ messaging_product: 'whatsapp', type: 'audio/ogg', file: { filename: 'note.ogg', mimeType: 'audio/ogg', size: bytes.length } });

    const info = await json(await api(id));
    expect(info).toEqual({ messaging_product: 'whatsapp', url: expect.stringContaining(graph.url), mime_type: 'audio/ogg', sha256: createHash('sha256').update(bytes).digest('hex'), file_size: bytes.length, id });
    expect((await fetch(info.url)).status).toBe(401);
    const download = await fetch(info.url, { headers: { authorization: `Bearer ${graph.accessToken}` } });
    expect(download.headers.get('content-type')).toBe('audio/ogg');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    const send = await sendJson({ messaging_product: 'whatsapp', to: '15551234567', type: 'audio', audio: { id } });
    expect(send.status).toBe(200);
    expect((await graph.nextMessage()).type).toBe('audio');
  });

  it('records read receipts apart from messages', async () => {
    const before = graph.messages.length;
    const res = await sendJson({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.READ' });
    expect(await json(res)).toEqual({ success: true });
    expect(graph.readReceipts).toContain('wamid.READ');
    expect(graph.messages.length).toBe(before);
  });

  it("answers queued failures in Meta's shapes, once each", async () => {
    const message = { messaging_product: 'whatsapp', to: '15551234567', type: 'text', text: { body: 'x' } };
    graph.failNext({ kind: 'outside-window' });
    graph.failNext({ kind: 'rate-limit', retryAfterSeconds: 3 });
    graph.failNext({ kind: 'server-error' });
    const window = await sendJson(message);
    expect(window.status).toBe(400);
    expect((await json(window)).error).toMatchObject({ code: 131047, message: '(#131047) Re-engagement message', error_data: { details: expect.stringContaining('24 hours') } });
    const limited = await sendJson(message);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await json(limited)).error.code).toBe(130429);
    expect((await sendJson(message)).status).toBe(500);
    expect((await sendJson(message)).status).toBe(200);
  });

  it('answers unknown paths with a GraphMethodException', async () => {
    const res = await api('999/unknown-edge');
    expect(res.status).toBe(400);
    expect((await json(res)).error.type).toBe('GraphMethodException');
  });
});

describe('webhook delivery', () => {
  const secret = 'app-secret';
  let server: Server;
  let url: string;
  const seen: Array<{ method: string; url: string; headers: Record<string, unknown>; raw: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        const challenge = new URL(req.url!, 'http://x').searchParams.get('hub.challenge');
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(challenge ?? 'ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const hmac = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const meta = { display_phone_number: '15550001111', phone_number_id: '1234567890' };

  it('escapes non-ASCII characters as lowercase \\u escapes, emoji as surrogate pairs', () => {
    expect(escapeNonAscii('äöå 🍝 plain')).toBe('\\u00e4\\u00f6\\u00e5 \\ud83c\\udf5d plain');
    expect(JSON.parse(escapeNonAscii(JSON.stringify({ t: 'ça 🍝' })))).toEqual({ t: 'ça 🍝' });
  });

  it('sends the escaped body by default, signed over it', async () => {
    await deliverWebhook(url, messagesNotification(meta, { from: '1555', messages: [inbound.text({ from: '1555', text: 'pâtes' })] }), { appSecret: secret });
    const req = seen.at(-1)!;
    expect(req.raw).toContain('p\\u00e2tes');
    expect(req.headers['x-hub-signature-256']).toBe(hmac(req.raw));
  });

  it('can send UTF-8 signed over the escaped form (as Meta documents) or over the raw bytes', async () => {
    const payload = messagesNotification(meta, { from: '1555', messages: [inbound.text({ from: '1555', text: 'pâtes' })] });
    await deliverWebhook(url, payload, { appSecret: secret, bodyForm: 'utf8' });
    let req = seen.at(-1)!;
    expect(req.raw).toContain('pâtes');
    expect(req.headers['x-hub-signature-256']).toBe(hmac(escapeNonAscii(req.raw)));
    expect(req.headers['x-hub-signature-256']).not.toBe(hmac(req.raw));
    await deliverWebhook(url, payload, { appSecret: secret, bodyForm: 'utf8', signOver: 'raw' });
    req = seen.at(-1)!;
    expect(req.headers['x-hub-signature-256']).toBe(hmac(req.raw));
  });

  it('sends a given signature, or none', async () => {
    await deliverWebhook(url, statusesNotification(meta, [status({ id: 'wamid.X', status: 'read', recipientId: '1555' })]), { appSecret: secret, signature: 'sha256=00' });
    expect(seen.at(-1)!.headers['x-hub-signature-256']).toBe('sha256=00');
    await deliverWebhook(url, {}, { appSecret: secret, signature: null });
    expect(seen.at(-1)!.headers['x-hub-signature-256']).toBeUndefined();
  });

  it("performs Meta's verification handshake", async () => {
    const answer = await verifyWebhook(url, { verifyToken: 'vt', challenge: '42' });
    expect(answer).toMatchObject({ status: 200, body: '42', challenge: '42' });
    const query = new URL(seen.at(-1)!.url, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({ 'hub.mode': 'subscribe', 'hub.verify_token': 'vt', 'hub.challenge': '42' });
  });

  it('builds payloads in the shape Meta sends', () => {
    const failed = status({ id: 'wamid.F', status: 'failed', recipientId: '1555', error: { code: 131026, title: 'Message undeliverable', details: 'not on WhatsApp' } });
    expect(statusesNotification(meta, [failed])).toEqual({
      object: 'whatsapp_business_account',
      entry: [{ id: expect.any(String), changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: meta, statuses: [failed] } }] }],
    });
    expect(failed.errors).toEqual([{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'not on WhatsApp' } }]);
    expect(inbound.reaction({ from: '1555', messageId: 'wamid.A', emoji: '' })).not.toHaveProperty('reaction.emoji');
  });
});
