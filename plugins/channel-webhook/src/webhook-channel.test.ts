import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeChannelConformance, startCaptureServer, startTestKernel, type CaptureServer, type ChannelTestDriver, type TestKernel } from '@omni/plugin-sdk/testing';
import webhookPlugin from './index.js';

const SECRET = 'conformance-secret-0123456789';

async function createWebhookDriver(): Promise<ChannelTestDriver & { receiver: CaptureServer }> {
  const receiver = await startCaptureServer((req) => ({ status: 200, body: { messageId: `ext-${req.body?.messageId}` } }));
  return {
    receiver,
    recipient: 'user-42',
    instanceConfig: () => ({ secret: SECRET, outboundUrl: `${receiver.url}/outbound` }),
    async deliverText({ instanceId, baseUrl }, m) {
      const res = await fetch(`${baseUrl}/api/v2/webhooks/webhook/${instanceId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
        body: JSON.stringify({ event: 'message', data: { messageId: m.externalId, from: m.from, fromName: m.fromName, chatId: m.chatId, text: m.text } }),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    },
    async nextOutbound(timeoutMs) {
      const req = await receiver.next(timeoutMs);
      return { to: req.body.to, type: req.body.content.type, text: req.body.content.text };
    },
    close: () => receiver.close(),
  };
}

describeChannelConformance({ plugin: webhookPlugin, createDriver: createWebhookDriver });

describe('webhook channel', () => {
  let tk: TestKernel;
  let receiver: CaptureServer;
  let instanceId: string;
  const hook = (id = instanceId) => `/api/v2/webhooks/webhook/${id}`;
  const message = (messageId: string, extra: Record<string, unknown> = {}) => ({ event: 'message', data: { messageId, from: '+15550001', fromName: 'Ana', text: 'hi', ...extra } });

  beforeAll(async () => {
    receiver = await startCaptureServer();
    tk = await startTestKernel({ plugins: [webhookPlugin] });
    instanceId = (await tk.createInstance({ channel: 'webhook', channelConfig: { secret: SECRET, outboundUrl: `${receiver.url}/out` } })).id;
  });
  afterAll(async () => {
    await tk.stop();
    await receiver.close();
  });

  it('answers {received, eventId} and publishes the normalized message', async () => {
    const res = await tk.http.post(hook(), message('m-1', { replyTo: 'm-0', timestamp: 1_700_000_000 }), { 'x-webhook-secret': SECRET });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, eventId: expect.any(String) });
    const event = await tk.events.waitFor('message.received', (e) => e.id === res.body.eventId);
    expect(event.payload.message).toMatchObject({
      externalId: 'm-1',
      chatId: '+15550001',
      chatType: 'dm',
      sender: { id: '+15550001', name: 'Ana' },
      content: { type: 'text', text: 'hi' },
      replyTo: 'm-0',
      timestamp: '2023-11-14T22:13:20.000Z',
    });
  });

  it('refuses a missing or wrong secret with 401 and publishes nothing', async () => {
    const before = tk.events.ofType('message.received').length;
    expect((await tk.http.post(hook(), message('m-2'))).status).toBe(401);
    const wrong = await tk.http.post(hook(), message('m-3'), { 'x-webhook-secret': `${SECRET}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHORIZED');
    await new Promise((r) => setTimeout(r, 50));
    expect(tk.events.ofType('message.received').length).toBe(before);
  });

  it('answers 400 in the error envelope for malformed JSON and invalid events', async () => {
    const malformed = await tk.http.request('POST', hook(), { rawBody: '{"event":', headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('BAD_REQUEST');
    const invalid = await tk.http.post(hook(), { event: 'message', data: { from: 'x' } }, { 'x-webhook-secret': SECRET });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: expect.arrayContaining([expect.objectContaining({ path: 'data.messageId' })]) });
    const empty = await tk.http.post(hook(), { event: 'message', data: { messageId: 'e', from: 'x' } }, { 'x-webhook-secret': SECRET });
    expect(empty.status).toBe(400);
  });

  it('answers 404 for an unknown instance or a wrong channel, revealing nothing', async () => {
    expect((await tk.http.post(hook('no-such-instance'), message('m-4'), { 'x-webhook-secret': SECRET })).status).toBe(404);
    expect((await tk.http.post(`/api/v2/webhooks/discord/${instanceId}`, message('m-5'))).status).toBe(404);
  });

  it('normalizes media, location, contact and reaction events', async () => {
    const cases = [
      [{ text: undefined, media: { type: 'image', url: 'https://example.com/a.png', mimeType: 'image/png' } }, { type: 'image', media: { url: 'https://example.com/a.png', mimeType: 'image/png' } }],
      [{ text: undefined, location: { latitude: 1.5, longitude: 2.5 } }, { type: 'location', latitude: 1.5, longitude: 2.5 }],
      [{ text: undefined, contact: { name: 'Bo', phone: '+1555' } }, { type: 'contact', contact: { name: 'Bo', phone: '+1555' } }],
      [{ text: undefined, reaction: { messageId: 'm-1', emoji: '🔥' } }, { type: 'reaction', messageId: 'm-1', emoji: '🔥' }],
    ] as const;
    for (const [i, [data, content]] of cases.entries()) {
      const res = await tk.http.post(hook(), message(`media-${i}`, data), { 'x-webhook-secret': SECRET });
      expect(res.status).toBe(200);
      const event = await tk.events.waitFor('message.received', (e) => e.id === res.body.eventId);
      expect(event.payload.message.content).toMatchObject(content);
    }
  });

  it('posts signed outbound JSON; the receiver status decides sent or failed', async () => {
    const ok = await tk.kernel.messages.send({ instanceId, to: '+15550001', content: { type: 'text', text: 'reply' }, replyTo: 'm-1' });
    expect(ok.ok).toBe(true);
    const req = await receiver.next();
    expect(req.body).toEqual({ instanceId, messageId: ok.messageId, to: '+15550001', chatId: '+15550001', content: { type: 'text', text: 'reply' }, replyTo: 'm-1' });
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${req.headers['x-omni-timestamp']}.${req.rawBody.toString()}`).digest('hex')}`;
    expect(req.headers['x-omni-signature']).toBe(expected);

    receiver.respond(() => ({ status: 503, body: { down: true } }));
    const failed = await tk.kernel.messages.send({ instanceId, to: '+15550001', content: { type: 'text', text: 'lost?' } });
    expect(failed).toMatchObject({ ok: false, error: { code: 'HTTP_503', retryable: true } });
    const event = await tk.events.waitFor('message.failed', (e) => e.payload.messageId === failed.messageId);
    expect(event.payload).toMatchObject({ stage: 'channel_send', error: expect.stringContaining('503') });
    receiver.respond(() => ({ status: 200, body: {} }));
  });

  it('turns status callbacks into delivery events', async () => {
    const res = await tk.http.post(hook(), { event: 'status', data: { messageId: 'ext-9', status: 'delivered' } }, { 'x-webhook-secret': SECRET });
    expect(res.status).toBe(200);
    await tk.events.waitFor('message.delivered', (e) => e.payload.externalId === 'ext-9');
  });

  it('refuses inbound for a deliberately disconnected instance with 503', async () => {
    const other = await tk.createInstance({ channel: 'webhook', channelConfig: { secret: SECRET, outboundUrl: `${receiver.url}/out` } });
    await tk.kernel.connections.disconnect(other.id);
    const res = await tk.http.post(hook(other.id), message('m-6'), { 'x-webhook-secret': SECRET });
    expect(res.status).toBe(503);
  });
});
