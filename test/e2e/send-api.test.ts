import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import webhookChannel from '@omni/channel-webhook';
import { startCaptureServer, startTestKernel, type CaptureServer, type CapturedRequest, type TestKernel } from '@omni/plugin-sdk/testing';
import { backends } from '../support/backends.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'send-api-secret-0123456789';
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe.each(backends)('send API ($name)', ({ backend }) => {
  let tk: TestKernel;
  let receiver: CaptureServer;
  let instanceId: string;
  let seq = 0;
  /** Recipients the receiver refuses with 500 (changeable per test). */
  const failing = new Set<string>();
  /** Recipients the receiver answers only when released, so concurrent requests overlap. */
  const held = new Map<string, Array<() => void>>();

  const to = (label: string) => `+1555${label}-${++seq}`;
  const sent = (recipient: string): CapturedRequest[] => receiver.requests.filter((r) => r.body?.to === recipient);
  const post = (path: string, body: unknown, headers?: Record<string, string>) => tk.http.post(`/api/v2/messages${path}`, body, headers);
  const expectSent = (res: { status: number; body: any }) => {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ messageId: expect.any(String), externalMessageId: `wh-${res.body.messageId}`, status: 'sent', traceId: expect.any(String) });
  };

  beforeAll(async () => {
    receiver = await startCaptureServer(async (req) => {
      const recipient: string = req.body?.to;
      const gate = held.get(recipient);
      if (gate) await new Promise<void>((release) => gate.push(release));
      if (failing.has(recipient)) return { status: 500, body: { error: 'receiver is down' } };
      return { status: 200, body: { messageId: `wh-${req.body?.messageId}` } };
    });
    tk = await startTestKernel({ plugins: [webhookChannel], backend });
    const created = await tk.http.post('/api/v2/instances', { name: `send-${backend}`, channel: 'webhook', channelConfig: { secret: SECRET, outboundUrl: `${receiver.url}/out` } });
    expect(created.status).toBe(201);
    instanceId = created.body.id;
  });
  afterAll(async () => {
    await tk?.stop();
    await receiver?.close();
  });
  beforeEach(() => {
    failing.clear();
    held.clear();
  });

  describe('each endpoint reaches the channel with the right content', () => {
    it('POST /messages: text, with replyTo', async () => {
      const recipient = to('text');
      const res = await post('', { instanceId, to: recipient, text: 'hello there', replyTo: 'ext-1' });
      expectSent(res);
      const [req] = sent(recipient);
      expect(req?.body).toEqual({ instanceId, messageId: res.body.messageId, to: recipient, chatId: recipient, content: { type: 'text', text: 'hello there' }, replyTo: 'ext-1' });
    });

    it('POST /messages: text over the channel limit goes out as ordered parts in one trace', async () => {
      const recipient = to('long');
      const max = tk.kernel.channels.get('webhook')!.capabilities.limits.maxTextLength;
      const text = `${'a'.repeat(max - 10)} ${'b'.repeat(20)} end`;
      const res = await post('', { instanceId, to: recipient, text, replyTo: 'ext-2' });
      expectSent(res);
      expect(res.body.parts).toHaveLength(2);
      const requests = sent(recipient);
      expect(requests.map((r) => r.body.content.text).join(' ')).toBe(text);
      expect(requests.every((r) => r.body.content.text.length <= max)).toBe(true);
      expect(requests.map((r) => r.body.replyTo)).toEqual(['ext-2', undefined]);
      const trace = await tk.http.get(`/api/v2/events/${res.body.messageId}`);
      expect(trace.body.trace.map((e: { id: string }) => e.id)).toEqual([res.body.parts[1].messageId]);
    });

    it('POST /messages/media: by url, with caption', async () => {
      const recipient = to('media-url');
      const res = await post('/media', { instanceId, to: recipient, type: 'image', url: 'https://example.com/cat.png', mimeType: 'image/png', caption: 'a cat' });
      expectSent(res);
      expect(sent(recipient)[0]?.body.content).toEqual({ type: 'image', media: { url: 'https://example.com/cat.png', mimeType: 'image/png' }, caption: 'a cat' });
    });

    it('POST /messages/media: by base64, a document and a voice note', async () => {
      const doc = to('media-b64');
      expectSent(await post('/media', { instanceId, to: doc, type: 'document', base64: PNG_BASE64, mimeType: 'application/pdf', filename: 'report.pdf' }));
      expect(sent(doc)[0]?.body.content).toEqual({ type: 'document', media: { base64: PNG_BASE64, mimeType: 'application/pdf', filename: 'report.pdf' } });
      const voice = to('voice');
      expectSent(await post('/media', { instanceId, to: voice, type: 'audio', url: 'https://example.com/v.ogg', mimeType: 'audio/ogg', voiceNote: true }));
      expect(sent(voice)[0]?.body.content).toEqual({ type: 'audio', media: { url: 'https://example.com/v.ogg', mimeType: 'audio/ogg' }, voiceNote: true });
    });

    it('POST /messages/media and /sticker: both url and base64, or neither, is a 400 and sends nothing', async () => {
      const recipient = to('media-bad');
      const cases = [
        ['/media', { instanceId, to: recipient, type: 'image', url: 'https://example.com/a.png', base64: PNG_BASE64 }],
        ['/media', { instanceId, to: recipient, type: 'image' }],
        ['/sticker', { instanceId, to: recipient, url: 'https://example.com/s.webp', base64: PNG_BASE64 }],
        ['/sticker', { instanceId, to: recipient }],
        ['/media', { instanceId, to: recipient, type: 'hologram', url: 'https://example.com/a.png' }],
      ] as const;
      for (const [path, body] of cases) {
        const res = await post(path, body);
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_ERROR');
      }
      expect(sent(recipient)).toHaveLength(0);
    });

    it('POST /messages/reaction', async () => {
      const recipient = to('reaction');
      const res = await post('/reaction', { instanceId, to: recipient, messageId: 'ext-42', emoji: '👍' });
      expect(res.status).toBe(200);
      // The seed answers { success: true } for a reaction; the message result rides along.
      expect(res.body).toMatchObject({ success: true, messageId: expect.any(String), status: 'sent' });
      expect(sent(recipient)[0]?.body.content).toEqual({ type: 'reaction', messageId: 'ext-42', emoji: '👍' });
      const removal = await post('/reaction', { instanceId, to: recipient, messageId: 'ext-42', emoji: '' });
      expect(removal.status).toBe(200);
      expect(sent(recipient)[1]?.body.content).toEqual({ type: 'reaction', messageId: 'ext-42', emoji: '' });
    });

    it('POST /messages/sticker', async () => {
      const recipient = to('sticker');
      expectSent(await post('/sticker', { instanceId, to: recipient, url: 'https://example.com/s.webp', mimeType: 'image/webp' }));
      expect(sent(recipient)[0]?.body.content).toEqual({ type: 'sticker', media: { url: 'https://example.com/s.webp', mimeType: 'image/webp' } });
    });

    it('POST /messages/contact', async () => {
      const recipient = to('contact');
      const contact = { name: 'Bo Diddley', phone: '+15550999', email: 'bo@example.com', organization: 'Chess' };
      expectSent(await post('/contact', { instanceId, to: recipient, contact }));
      expect(sent(recipient)[0]?.body.content).toEqual({ type: 'contact', contact });
      expect((await post('/contact', { instanceId, to: recipient, contact: { phone: '+1' } })).status).toBe(400);
    });

    it('POST /messages/location', async () => {
      const recipient = to('location');
      expectSent(await post('/location', { instanceId, to: recipient, latitude: -23.55, longitude: -46.63, name: 'Sé', address: 'Praça da Sé' }));
      expect(sent(recipient)[0]?.body.content).toEqual({ type: 'location', latitude: -23.55, longitude: -46.63, name: 'Sé', address: 'Praça da Sé' });
      expect((await post('/location', { instanceId, to: recipient, latitude: 91, longitude: 0 })).status).toBe(400);
      expect(sent(recipient)).toHaveLength(1);
    });

    it('records every send as an outbound event', async () => {
      const recipient = to('events');
      const results = [
        await post('', { instanceId, to: recipient, text: 'recorded' }),
        await post('/location', { instanceId, to: recipient, latitude: 1, longitude: 2 }),
        await post('/contact', { instanceId, to: recipient, contact: { name: 'Ana' } }),
      ];
      results.forEach(expectSent);
      const list = await tk.http.get(`/api/v2/events?direction=outbound&instanceId=${instanceId}&limit=200`);
      expect(list.status).toBe(200);
      expect(list.body.items.every((e: { direction: string }) => e.direction === 'outbound')).toBe(true);
      const mine = list.body.items.filter((e: { recipientId: string }) => e.recipientId === recipient);
      expect(mine.map((e: { id: string }) => e.id).sort()).toEqual(results.map((r) => r.body.messageId).sort());
      for (const e of mine) expect(e).toMatchObject({ eventType: 'message.sent', status: 'sent', externalId: `wh-${e.id}` });
      expect(mine.map((e: { contentType: string }) => e.contentType).sort()).toEqual(['contact', 'location', 'text']);
      const one = await tk.http.get(`/api/v2/events/${results[0]!.body.messageId}`);
      expect(one.body).toMatchObject({ direction: 'outbound', textContent: 'recorded', traceId: results[0]!.body.traceId });
      const inbound = await tk.http.get(`/api/v2/events?direction=inbound&instanceId=${instanceId}`);
      expect(inbound.body.items.map((e: { id: string }) => e.id)).not.toContain(results[0]!.body.messageId);
    });
  });

  describe('failures', () => {
    it('answers 502 PLATFORM_ERROR with details.messageId when the platform refuses, and records a failed event', async () => {
      const recipient = to('fail');
      failing.add(recipient);
      const res = await post('', { instanceId, to: recipient, text: 'will fail' });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'PLATFORM_ERROR', details: { messageId: expect.any(String), code: 'HTTP_500', retryable: true } });
      expect(sent(recipient)).toHaveLength(1);
      const event = await tk.http.get(`/api/v2/events/${res.body.error.details.messageId}`);
      expect(event.status).toBe(200);
      expect(event.body).toMatchObject({ direction: 'outbound', status: 'failed', eventType: 'message.failed', error: { stage: 'channel_send', message: expect.stringContaining('HTTP_500') } });
      const failedList = await tk.http.get(`/api/v2/events?direction=outbound&eventType=message.failed&instanceId=${instanceId}`);
      expect(failedList.body.items.map((e: { id: string }) => e.id)).toContain(res.body.error.details.messageId);
    });

    it('refuses a body that is not JSON with 415 and sends nothing', async () => {
      const recipient = to('plain');
      const res = await tk.http.request('POST', '/api/v2/messages', { rawBody: JSON.stringify({ instanceId, to: recipient, text: 'hi' }), headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(sent(recipient)).toHaveLength(0);
    });

    it('refuses malformed JSON with 400 BAD_REQUEST, and a missing or incomplete body with 400 VALIDATION_ERROR', async () => {
      const malformed = await tk.http.request('POST', '/api/v2/messages', { rawBody: '{"instanceId": "x", "to":', headers: { 'content-type': 'application/json' } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('BAD_REQUEST');
      const empty = await tk.http.request('POST', '/api/v2/messages');
      expect(empty.status).toBe(400);
      expect(empty.body.error.code).toBe('VALIDATION_ERROR');
      const partial = await post('', { instanceId, text: 'to nobody' });
      expect(partial.status).toBe(400);
      expect(partial.body.error.details).toEqual([expect.objectContaining({ path: 'to' })]);
      const extra = await post('', { instanceId, to: to('extra'), text: 'x', priority: 'high' });
      expect(extra.status).toBe(400);
    });

    it('answers 404 for an unknown instance', async () => {
      const res = await post('', { instanceId: 'no-such-instance', to: to('nobody'), text: 'x' });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('Idempotency-Key', () => {
    it('sends once for concurrent requests with the same key: the others get the replay or 409', async () => {
      const recipient = to('concurrent');
      const gate: Array<() => void> = [];
      held.set(recipient, gate);
      const key = `concurrent-${backend}-${seq}`;
      const body = { instanceId, to: recipient, text: 'exactly once, concurrently' };
      const pending = Array.from({ length: 5 }, () => post('', body, { 'idempotency-key': key }));
      // Hold the send that got through at the receiver while the others arrive, then let it finish.
      await waitFor('a send to reach the receiver', () => gate.length > 0);
      gate.splice(0).forEach((release) => release());
      held.delete(recipient);
      const answers = await Promise.all(pending);

      expect(sent(recipient)).toHaveLength(1);
      const ok = answers.filter((a) => a.status === 200);
      const conflicts = answers.filter((a) => a.status === 409);
      expect(ok.length + conflicts.length).toBe(answers.length);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((a) => a.body.messageId)).size).toBe(1);
      for (const c of conflicts) expect(c.body.error.code).toBe('CONFLICT');

      const retry = await post('', body, { 'idempotency-key': key });
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(ok[0]!.body);
      expect(retry.headers.get('idempotency-replayed')).toBe('true');
      expect(sent(recipient)).toHaveLength(1);
    });

    it('replays a stored answer for the same key and body; another body is a 422', async () => {
      const recipient = to('replay');
      const key = `replay-${backend}-${seq}`;
      const body = { instanceId, to: recipient, latitude: 1, longitude: 2 };
      const first = await post('/location', body, { 'idempotency-key': key });
      expectSent(first);
      expect(first.headers.get('idempotency-replayed')).toBe('false');
      const second = await post('/location', body, { 'idempotency-key': key });
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotency-replayed')).toBe('true');
      expect(sent(recipient)).toHaveLength(1);
      expect((await post('/location', { ...body, latitude: 3 }, { 'idempotency-key': key })).status).toBe(422);
      // Keys are per endpoint: the same key on another route is a new request.
      expectSent(await post('', { instanceId, to: recipient, text: 'other route' }, { 'idempotency-key': key }));
      expect(sent(recipient)).toHaveLength(2);
    });

    it('does not keep a 5xx answer: a retry with the same key sends again', async () => {
      const recipient = to('retry');
      const key = `retry-${backend}-${seq}`;
      const body = { instanceId, to: recipient, text: 'try until it works' };
      failing.add(recipient);
      const first = await post('', body, { 'idempotency-key': key });
      expect(first.status).toBe(502);
      expect(sent(recipient)).toHaveLength(1);
      const second = await post('', body, { 'idempotency-key': key });
      expect(second.status).toBe(502);
      expect(second.headers.get('idempotency-replayed')).not.toBe('true');
      expect(sent(recipient)).toHaveLength(2);
      expect(second.body.error.details.messageId).not.toBe(first.body.error.details.messageId);

      failing.delete(recipient);
      const third = await post('', body, { 'idempotency-key': key });
      expectSent(third);
      expect(sent(recipient)).toHaveLength(3);
      const fourth = await post('', body, { 'idempotency-key': key });
      expect(fourth.body).toEqual(third.body);
      expect(sent(recipient)).toHaveLength(3);
    });

    it('keeps a 4xx answer and replays it', async () => {
      const key = `missing-${backend}-${seq}`;
      const body = { instanceId: 'no-such-instance', to: to('missing'), text: 'x' };
      const first = await post('', body, { 'idempotency-key': key });
      expect(first.status).toBe(404);
      const second = await post('', body, { 'idempotency-key': key });
      expect(second.status).toBe(404);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotency-replayed')).toBe('true');
    });

    it('refuses a malformed key with 400', async () => {
      const res = await post('', { instanceId, to: to('badkey'), text: 'x' }, { 'idempotency-key': 'x'.repeat(256) });
      expect(res.status).toBe(400);
    });
  });
});
