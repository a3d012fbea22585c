import { createHash } from 'node:crypto';
import type { ConnectionState } from '@omni/plugin-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, TINY_PNG_BASE64, waitForConnectionState, type TestKernel } from '@omni/plugin-sdk/testing';
import {
  deliverWebhook,
  inbound,
  inboundMessageId,
  messagesNotification,
  startFakeGraphApi,
  status,
  statusesNotification,
  verifyWebhook,
  type FakeGraphApi,
  type WebhookDeliveryOptions,
  type WebhookInboundMessage,
} from '@omni/plugin-sdk/testing/whatsapp-cloud';
import { DEFAULT_RATE_LIMIT_RETRY_MS } from './send-failure.js';
import whatsAppCloud from './index.js';

const APP_SECRET = 'test-app-secret-0123456789abcdef';
const VERIFY_TOKEN = 'test-verify-token-0123';
const CUSTOMER = '15551234567';
const PNG = Buffer.from(TINY_PNG_BASE64, 'base64');

describe('whatsapp-cloud channel', () => {
  let graph: FakeGraphApi;
  let tk: TestKernel;
  let instanceId: string;

  const config = (extra: Record<string, unknown> = {}) => ({
    phoneNumberId: graph.phoneNumberId,
    accessToken: graph.accessToken,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    graphBaseUrl: graph.url,
    ...extra,
  });
  const hook = (id = instanceId) => `${tk.url}/api/v2/webhooks/whatsapp-cloud/${id}`;
  const deliver = (message: WebhookInboundMessage, options: Partial<WebhookDeliveryOptions> & { from?: string; name?: string } = {}) =>
    deliverWebhook(hook(), messagesNotification(graph.metadata, { from: options.from ?? message.from, name: options.name ?? 'Ana Souza', messages: [message] }), { appSecret: APP_SECRET, ...options });
  const received = (externalId: string) => tk.events.waitFor('message.received', (e) => e.payload.message.externalId === externalId);
  const storedEvents = async () => (await tk.http.get(`/api/v2/events?instanceId=${instanceId}&limit=100`)).body.items as Array<{ externalId: string | null }>;
  const waitForState = (id: string, state: ConnectionState) => waitForConnectionState(tk, id, state, 5_000);

  beforeAll(async () => {
    graph = await startFakeGraphApi();
    tk = await startTestKernel({ plugins: [whatsAppCloud] });
    instanceId = (await tk.createInstance({ channel: 'whatsapp-cloud', channelConfig: config() })).id;
    await waitForState(instanceId, 'connected');
    // The customer writes first: that opens the 24-hour window for the sends below.
    const opening = inbound.text({ from: CUSTOMER, text: 'oi' });
    expect((await deliver(opening)).status).toBe(200);
    await received(opening.id);
  });
  afterAll(async () => {
    await tk?.stop();
    await graph?.close();
  });

  describe('webhook', () => {
    it('answers the verification handshake only with the right verify token', async () => {
      const ok = await verifyWebhook(hook(), { verifyToken: VERIFY_TOKEN, challenge: '1158201444' });
      expect(ok).toMatchObject({ status: 200, body: '1158201444' });
      const wrong = await verifyWebhook(hook(), { verifyToken: `${VERIFY_TOKEN}x` });
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('FORBIDDEN');
      expect((await verifyWebhook(hook(), { verifyToken: VERIFY_TOKEN, mode: 'unsubscribe' })).status).toBe(403);
    });

    it("accepts a signature over Meta's escaped form, over the raw body, and escaped bodies", async () => {
      const text = "J'ai mangé des pâtes 🍝 — ça va?";
      for (const options of [{ bodyForm: 'utf8' as const }, { bodyForm: 'utf8' as const, signOver: 'raw' as const }, { bodyForm: 'escaped' as const }]) {
        const message = inbound.text({ from: CUSTOMER, text });
        const answer = await deliver(message, options);
        expect(answer, JSON.stringify(options)).toMatchObject({ status: 200, body: { received: 1 } });
        expect((await received(message.id)).payload.message.content).toEqual({ type: 'text', text });
      }
    });

    it('refuses a missing, wrong or malformed signature with 401 and stores nothing', async () => {
      const refused = [inbound.text({ from: CUSTOMER, text: 'forged 1' }), inbound.text({ from: CUSTOMER, text: 'forged 2' }), inbound.text({ from: CUSTOMER, text: 'forged 3' })];
      const answers = await Promise.all([
        deliver(refused[0]!, { signature: null }),
        deliver(refused[1]!, { appSecret: 'someone-elses-secret' }),
        deliver(refused[2]!, { signature: 'sha256=not-hex' }),
      ]);
      for (const answer of answers) expect(answer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      // A good delivery afterwards is stored; the refused ones never are.
      const good = inbound.text({ from: CUSTOMER, text: 'genuine' });
      expect((await deliver(good)).status).toBe(200);
      await received(good.id);
      const ids = (await storedEvents()).map((e) => e.externalId);
      expect(ids).toContain(good.id);
      for (const m of refused) expect(ids).not.toContain(m.id);
    });

    it('answers 400 in the error envelope for a body that is not a WhatsApp notification', async () => {
      const answer = await deliverWebhook(hook(), { object: 'page', entry: [] }, { appSecret: APP_SECRET });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_ERROR');
    });

    it('ignores notifications for another phone number of the same Meta app', async () => {
      const message = inbound.text({ from: CUSTOMER, text: 'for the other number' });
      const payload = messagesNotification({ display_phone_number: '15550009999', phone_number_id: '999999999' }, { from: CUSTOMER, messages: [message] });
      const answer = await deliverWebhook(hook(), payload, { appSecret: APP_SECRET });
      expect(answer).toMatchObject({ status: 200, body: { received: 0 } });
      expect((await storedEvents()).map((e) => e.externalId)).not.toContain(message.id);
    });

    it('stores a redelivered notification once', async () => {
      const message = inbound.text({ from: CUSTOMER, text: 'twice' });
      expect((await deliver(message)).body).toMatchObject({ received: 1, duplicates: 0 });
      expect((await deliver(message)).body).toMatchObject({ received: 0, duplicates: 1 });
      expect((await storedEvents()).filter((e) => e.externalId === message.id)).toHaveLength(1);
    });
  });

  describe('inbound', () => {
    it('normalizes sender, reply context and timestamp', async () => {
      const message = inbound.text({ from: '15557654321', text: 'replying', replyTo: 'wamid.ORIGINAL', timestamp: 1_700_000_000 });
      await deliver(message, { name: 'Bruno' });
      expect((await received(message.id)).payload.message).toMatchObject({
        externalId: message.id,
        chatId: '15557654321',
        chatType: 'dm',
        sender: { id: '15557654321', phone: '+15557654321', name: 'Bruno' },
        content: { type: 'text', text: 'replying' },
        replyTo: 'wamid.ORIGINAL',
        timestamp: '2023-11-14T22:13:20.000Z',
      });
    });

    it('downloads an image with the token, stores it, and serves the bytes from the media API', async () => {
      const file = graph.addMedia({ data: PNG, mimeType: 'image/png' });
      const message = inbound.media({ from: CUSTOMER, kind: 'image', mediaId: file.id, mimeType: 'image/png', caption: 'look' });
      expect((await deliver(message)).status).toBe(200);
      const content = (await received(message.id)).payload.message.content;
      expect(content).toMatchObject({ type: 'image', caption: 'look', media: { mimeType: 'image/png', size: PNG.length, storageKey: expect.any(String) } });
      const key = (content as { media: { storageKey: string } }).media.storageKey;
      const served = await tk.http.fetch(`/api/v2/media/${key}`);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
      const lookups = graph.calls.filter((c) => c.path.endsWith(`/${file.id}`) || c.query.mid === file.id);
      expect(lookups.map((c) => [c.method, c.authorized, c.status])).toEqual([
        ['GET', true, 200],
        ['GET', true, 200],
      ]);
    });

    it('keeps voice notes, documents and their file names', async () => {
      const ogg = graph.addMedia({ data: Buffer.from('OggS\0\x02voice'), mimeType: 'audio/ogg; codecs=opus' });
      const voice = inbound.media({ from: CUSTOMER, kind: 'audio', mediaId: ogg.id, mimeType: 'audio/ogg; codecs=opus', voice: true });
      await deliver(voice);
      expect((await received(voice.id)).payload.message.content).toMatchObject({ type: 'audio', voiceNote: true, media: { size: ogg.bytes.length } });
      const pdf = graph.addMedia({ data: Buffer.from('%PDF-1.1 tiny'), mimeType: 'application/pdf' });
      const doc = inbound.media({ from: CUSTOMER, kind: 'document', mediaId: pdf.id, mimeType: 'application/pdf', filename: 'invoice.pdf', caption: 'the invoice' });
      await deliver(doc);
      expect((await received(doc.id)).payload.message.content).toMatchObject({ type: 'document', caption: 'the invoice', media: { filename: 'invoice.pdf', mimeType: 'application/pdf' } });
    });

    it('answers 502 and stores nothing when an attachment cannot be downloaded, so Meta delivers it again', async () => {
      const id = inboundMessageId();
      const broken = inbound.media({ from: CUSTOMER, id, kind: 'image', mediaId: '424242', mimeType: 'image/png' });
      const answer = await deliver(broken);
      expect(answer.status).toBe(502);
      expect(answer.body.error).toMatchObject({ code: 'PLATFORM_ERROR', details: [expect.objectContaining({ id })] });
      expect((await storedEvents()).map((e) => e.externalId)).not.toContain(id);
      // Meta's retry, once the file is there, is stored.
      const file = graph.addMedia({ data: PNG, mimeType: 'image/png' });
      expect((await deliver(inbound.media({ from: CUSTOMER, id, kind: 'image', mediaId: file.id, mimeType: 'image/png' }))).status).toBe(200);
      expect((await received(id)).payload.message.content).toMatchObject({ type: 'image', media: { size: PNG.length } });
    });

    it('normalizes location, contact, reaction and button replies, and skips unsupported messages', async () => {
      const cases: Array<[WebhookInboundMessage, unknown]> = [
        [inbound.location({ from: CUSTOMER, latitude: -23.55, longitude: -46.63, name: 'Paulista', address: 'Av. Paulista' }), { type: 'location', latitude: -23.55, longitude: -46.63, name: 'Paulista', address: 'Av. Paulista' }],
        [inbound.contact({ from: CUSTOMER, name: 'Ada Lovelace', phone: '+44 20 7946 0000', email: 'ada@example.com', company: 'Engines' }), { type: 'contact', contact: { name: 'Ada Lovelace', phone: '+44 20 7946 0000', email: 'ada@example.com', organization: 'Engines' } }],
        [inbound.reaction({ from: CUSTOMER, messageId: 'wamid.OUT1', emoji: '❤️' }), { type: 'reaction', messageId: 'wamid.OUT1', emoji: '❤️' }],
        [inbound.reaction({ from: CUSTOMER, messageId: 'wamid.OUT1', emoji: '' }), { type: 'reaction', messageId: 'wamid.OUT1', emoji: '' }],
        [inbound.buttonReply({ from: CUSTOMER, buttonId: 'yes', title: 'Yes please' }), { type: 'text', text: 'Yes please' }],
      ];
      for (const [message, content] of cases) {
        expect((await deliver(message)).status).toBe(200);
        expect((await received(message.id)).payload.message.content).toEqual(content);
      }
      const unsupported = inbound.unsupported({ from: CUSTOMER });
      expect(await deliver(unsupported)).toMatchObject({ status: 200, body: { received: 0, ignored: 1 } });
      expect((await storedEvents()).map((e) => e.externalId)).not.toContain(unsupported.id);
    });
  });

  describe('outbound', () => {
    const send = (content: Parameters<TestKernel['kernel']['messages']['send']>[0]['content'], extra: { to?: string; replyTo?: string } = {}) =>
      tk.kernel.messages.send({ instanceId, to: extra.to ?? CUSTOMER, content, replyTo: extra.replyTo });
    const lastSent = () => graph.messages.at(-1)!;

    it('sends text with reply context and returns the wamid', async () => {
      const result = await send({ type: 'text', text: 'hello' }, { replyTo: 'wamid.IN1' });
      expect(result).toMatchObject({ ok: true, externalId: lastSent().id });
      expect(lastSent().body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'hello', preview_url: false }, context: { message_id: 'wamid.IN1' } });
    });

    it('uploads base64 media and sends it by id; sends URLs as links', async () => {
      const result = await send({ type: 'image', media: { base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'dot.png' }, caption: 'a dot' });
      expect(result.ok).toBe(true);
      const { image } = lastSent().body;
      const uploaded = graph.media(image.id);
      expect(uploaded).toMatchObject({ mimeType: 'image/png', filename: 'dot.png' });
      expect(uploaded!.sha256).toBe(createHash('sha256').update(PNG).digest('hex'));
      expect(image.caption).toBe('a dot');
      await send({ type: 'document', media: { url: 'https://example.com/report.pdf', filename: 'report.pdf' } });
      expect(lastSent().body.document).toEqual({ link: 'https://example.com/report.pdf', filename: 'report.pdf' });
    });

    it("sends location, contact and reaction in Meta's shapes", async () => {
      await send({ type: 'location', latitude: 52.52, longitude: 13.405, name: 'Berlin' });
      expect(lastSent().body.location).toEqual({ latitude: 52.52, longitude: 13.405, name: 'Berlin' });
      await send({ type: 'contact', contact: { name: 'Ada King Lovelace', phone: '+15550100', email: 'ada@example.com' } });
      expect(lastSent().body.contacts).toEqual([
        { name: { formatted_name: 'Ada King Lovelace', first_name: 'Ada', last_name: 'King Lovelace' }, phones: [{ phone: '+15550100', type: 'CELL', wa_id: '15550100' }], emails: [{ email: 'ada@example.com', type: 'WORK' }] },
      ]);
      await send({ type: 'reaction', messageId: 'wamid.IN9', emoji: '👍' });
      expect(lastSent().body).toMatchObject({ type: 'reaction', reaction: { message_id: 'wamid.IN9', emoji: '👍' } });
    });

    it('fails fast, without calling Meta, to a customer who never wrote', async () => {
      const before = graph.calls.length;
      const result = await send({ type: 'text', text: 'cold outreach' }, { to: '+1 555 999 0000' });
      expect(result).toMatchObject({ ok: false, error: { code: 'OUTSIDE_MESSAGING_WINDOW', retryable: false, message: expect.stringContaining('24-hour') } });
      expect(graph.calls.length).toBe(before);
      const failed = await tk.events.waitFor('message.failed', (e) => e.payload.messageId === result.messageId);
      expect(failed.payload.error).toContain('OUTSIDE_MESSAGING_WINDOW');
    });

    it('refuses a recipient that is not a phone number, without calling Meta', async () => {
      const before = graph.calls.length;
      expect(await send({ type: 'text', text: 'hi' }, { to: 'not-a-number' })).toMatchObject({ ok: false, error: { code: 'INVALID_RECIPIENT', retryable: false } });
      expect(graph.calls.length).toBe(before);
    });

    it("turns Meta's 131047 into OUTSIDE_MESSAGING_WINDOW with Meta's reason", async () => {
      graph.failNext({ kind: 'outside-window' });
      const result = await send({ type: 'text', text: 'too late' });
      expect(result).toMatchObject({ ok: false, error: { code: 'OUTSIDE_MESSAGING_WINDOW', retryable: false, message: expect.stringContaining('131047') } });
    });

    it('turns rate limits into retryable failures with retryAfterMs', async () => {
      graph.failNext({ kind: 'rate-limit', retryAfterSeconds: 7 });
      expect(await send({ type: 'text', text: 'slow down' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7_000 } });
      graph.failNext({ kind: 'rate-limit' });
      expect(await send({ type: 'text', text: 'slow down' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true, retryAfterMs: DEFAULT_RATE_LIMIT_RETRY_MS } });
      graph.failNext({ kind: 'server-error' });
      expect(await send({ type: 'text', text: 'later' })).toMatchObject({ ok: false, error: { code: 'PLATFORM_ERROR', retryable: true } });
    });

    it('marks a received message as read through the API', async () => {
      const message = inbound.text({ from: CUSTOMER, text: 'read me' });
      await deliver(message);
      await received(message.id);
      const res = await tk.http.patch(`/api/v2/instances/${instanceId}/messages/${message.id}/mark-read`);
      expect(res.status).toBe(200);
      expect(graph.readReceipts.at(-1)).toBe(message.id);
    });
  });

  describe('delivery statuses', () => {
    it('reports delivered and read on the outbound event, and failed with Meta’s code and title', async () => {
      const sent = await tk.kernel.messages.send({ instanceId, to: CUSTOMER, content: { type: 'text', text: 'track me' } });
      if (!sent.ok) throw new Error(sent.error.message);
      const notify = (s: ReturnType<typeof status>) => deliverWebhook(hook(), statusesNotification(graph.metadata, [s]), { appSecret: APP_SECRET });
      expect((await notify(status({ id: sent.externalId, status: 'sent', recipientId: CUSTOMER }))).status).toBe(200);
      expect((await notify(status({ id: sent.externalId, status: 'delivered', recipientId: CUSTOMER }))).body).toMatchObject({ statuses: 1 });
      await tk.events.waitFor('message.delivered', (e) => e.payload.externalId === sent.externalId);
      await notify(status({ id: sent.externalId, status: 'read', recipientId: CUSTOMER }));
      await tk.events.waitFor('message.read', (e) => e.payload.externalId === sent.externalId);
      const event = await tk.http.get(`/api/v2/events/${sent.messageId}`);
      expect(event.body).toMatchObject({ eventType: 'message.read', status: 'read' });
      expect(event.body.stages.map((s: { stage: string }) => s.stage)).toEqual(expect.arrayContaining(['sent', 'delivered', 'read']));

      const lost = await tk.kernel.messages.send({ instanceId, to: CUSTOMER, content: { type: 'text', text: 'lost' } });
      if (!lost.ok) throw new Error(lost.error.message);
      await notify(status({ id: lost.externalId, status: 'failed', recipientId: CUSTOMER, error: { code: 131026, title: 'Message undeliverable', details: 'The recipient is not a WhatsApp user.' } }));
      const failed = await tk.events.waitFor('message.failed', (e) => e.payload.externalId === lost.externalId);
      expect(failed.payload.error).toBe('131026 Message undeliverable: The recipient is not a WhatsApp user.');
      expect((await tk.http.get(`/api/v2/events/${lost.messageId}`)).body).toMatchObject({ eventType: 'message.failed', error: { stage: 'delivery', message: expect.stringContaining('131026') } });
    });
  });

  describe('connection', () => {
    it('reports a refused token as an error status with Meta’s message, once, and never shows the token', async () => {
      const badToken = 'EAAbad-token-that-meta-refuses-0123456789';
      const created = await tk.createInstance({ channel: 'whatsapp-cloud', channelConfig: config({ accessToken: badToken }) });
      const state = await waitForState(created.id, 'error');
      expect(state.error).toMatchObject({ code: 'AUTH_FAILED', retryable: false, message: expect.stringContaining('Invalid OAuth access token') });
      const res = await tk.http.get(`/api/v2/instances/${created.id}`);
      expect(JSON.stringify(res.body)).not.toContain(badToken);
      expect(JSON.stringify(res.body)).not.toContain(APP_SECRET);
      expect(JSON.stringify(await tk.http.get(`/api/v2/instances/${created.id}/status`))).not.toContain(badToken);
      // A second look later: still one refused call, no retry loop.
      await new Promise((r) => setTimeout(r, 300));
      expect(graph.calls.filter((c) => !c.authorized)).toHaveLength(1);
      expect(tk.kernel.connections.status(created.id).state).toBe('error');
    });

    it('keeps the 24-hour window across a plugin restart', async () => {
      await tk.kernel.plugins.disable(whatsAppCloud.id);
      await tk.kernel.plugins.enable(whatsAppCloud.id);
      await waitForState(instanceId, 'connected');
      expect(await tk.kernel.messages.send({ instanceId, to: CUSTOMER, content: { type: 'text', text: 'still here' } })).toMatchObject({ ok: true });
    });
  });
});
