import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import agentApi from '@omni/agent-api';
import whatsAppCloud from '@omni/channel-whatsapp-cloud';
import { startTestKernel, TINY_PNG_BASE64, type TestKernel } from '@omni/plugin-sdk/testing';
import {
  deliverWebhook,
  inbound,
  messagesNotification,
  startFakeGraphApi,
  status,
  statusesNotification,
  verifyWebhook,
  type FakeGraphApi,
  type WebhookInboundMessage,
  type WebhookStatus,
} from '@omni/plugin-sdk/testing/whatsapp-cloud';
import { startEchoAgent, type EchoAgent } from 'omni-echo-agent';
import { backends } from '../support/backends.js';
import { omniApi } from '../support/omni-api.js';
import { waitFor } from '../support/wait-for.js';

const APP_SECRET = 'e2e-meta-app-secret-0123456789';
const VERIFY_TOKEN = 'e2e-verify-token-0123';
const PNG = Buffer.from(TINY_PNG_BASE64, 'base64');

describe.each(backends)('WhatsApp Cloud API channel, end to end ($name)', ({ backend }) => {
  let tk: TestKernel;
  let graph: FakeGraphApi;
  let echo: EchoAgent;
  let instanceId: string;
  let customerSeq = 0;

  /** A new customer per test, so each test reads only its own messages. */
  const customer = () => `1555${backend === 'embedded' ? '1' : '2'}${String(++customerSeq).padStart(6, '0')}`;
  const webhookUrl = () => `${tk.url}/api/v2/webhooks/whatsapp-cloud/${instanceId}`;
  const deliver = (from: string, message: WebhookInboundMessage, options: { signature?: string | null } = {}) =>
    deliverWebhook(webhookUrl(), messagesNotification(graph.metadata, { from, name: 'Ana Souza', messages: [message] }), { appSecret: APP_SECRET, bodyForm: 'utf8', ...options });
  const notify = (statuses: WebhookStatus[]) => deliverWebhook(webhookUrl(), statusesNotification(graph.metadata, statuses), { appSecret: APP_SECRET });
  const eventsOf = async (query = '') => {
    const res = await tk.http.get(`/api/v2/events?instanceId=${instanceId}&limit=100${query}`);
    expect(res.status).toBe(200);
    return res.body.items as Array<Record<string, any>>;
  };
  const { inboundEvent: listedInbound, finishedEvent: finished, waitForState } = omniApi(() => tk);
  const inboundEvent = (wamid: string) => listedInbound(instanceId, wamid, { statuses: 'any' });
  const messagesTo = (to: string) => graph.messages.filter((m) => m.to === to);

  beforeAll(async () => {
    graph = await startFakeGraphApi();
    echo = await startEchoAgent();
    tk = await startTestKernel({ plugins: [whatsAppCloud, agentApi], backend });
    const created = await tk.http.post('/api/v2/instances', {
      name: `wa-cloud-${backend}`,
      channel: 'whatsapp-cloud',
      channelConfig: { phoneNumberId: graph.phoneNumberId, accessToken: graph.accessToken, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, graphBaseUrl: graph.url, apiVersion: 'v23.0' },
      agent: { apiUrl: echo.url, timeout: 5_000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    instanceId = created.body.id;
    // Secrets are masked in every answer.
    for (const secret of [graph.accessToken, APP_SECRET, VERIFY_TOKEN]) expect(JSON.stringify(created.body)).not.toContain(secret);
    await waitForState(instanceId, 'connected');
  });
  afterAll(async () => {
    await tk?.stop();
    await echo?.close();
    await graph?.close();
  });

  it('reports the connected business number and the 24-hour window', async () => {
    const statusRes = await tk.http.get(`/api/v2/instances/${instanceId}/status`);
    expect(statusRes.body).toMatchObject({ state: 'connected', account: { id: graph.phoneNumberId, name: 'Omni Test Business' } });
    const channel = await tk.http.get('/api/v2/channels/whatsapp-cloud');
    expect(channel.body.capabilities.messagingWindow).toEqual({ hours: 24, outsideWindow: 'template-only' });
  });

  it("answers Meta's verification handshake without an API key, only with the right verify token", async () => {
    expect(await verifyWebhook(webhookUrl(), { verifyToken: VERIFY_TOKEN, challenge: '8675309' })).toMatchObject({ status: 200, body: '8675309' });
    expect((await verifyWebhook(webhookUrl(), { verifyToken: 'guess' })).status).toBe(403);
  });

  it('answers a signed inbound text through the echo agent; the reply reaches Meta and the trace is in the events API', async () => {
    const from = customer();
    const message = inbound.text({ from, text: 'olá, tudo bem? 🙂' });
    const answer = await deliver(from, message);
    expect(answer).toMatchObject({ status: 200, body: { received: 1 } });

    const received = await inboundEvent(message.id);
    expect(received).toMatchObject({ direction: 'inbound', channel: 'whatsapp-cloud', chatId: from, sender: { platformUserId: from, name: 'Ana Souza' }, textContent: 'olá, tudo bem? 🙂' });
    const done = await finished(received.id);
    expect(done.status).toBe('sent');
    expect(done.stages.map((s: { stage: string }) => s.stage)).toEqual(expect.arrayContaining(['received', 'agent_request', 'agent_response', 'channel_send', 'sent']));

    const [reply] = messagesTo(from);
    expect(reply).toMatchObject({ type: 'text', text: 'Echo: olá, tudo bem? 🙂' });
    const outbound = done.trace.find((e: { direction: string }) => e.direction === 'outbound');
    expect(outbound).toMatchObject({ status: 'sent', externalId: reply!.id, recipientId: from, replyToEventId: received.id });
  });

  it('refuses a badly signed notification with 401 and stores nothing', async () => {
    const from = customer();
    const forged = inbound.text({ from, text: 'let me in' });
    const answer = await deliver(from, forged, { signature: `sha256=${'0'.repeat(64)}` });
    expect(answer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect((await deliver(from, forged, { signature: null })).status).toBe(401);
    expect((await tk.http.get(`/api/v2/events/by-sender/${from}`)).body.items).toEqual([]);
    expect(messagesTo(from)).toEqual([]);
  });

  it('shows delivered, read and failed statuses in the events API', async () => {
    const from = customer();
    const message = inbound.text({ from, text: 'status please' });
    await deliver(from, message);
    const done = await finished((await inboundEvent(message.id)).id);
    const outbound = done.trace.find((e: { direction: string }) => e.direction === 'outbound');

    expect((await notify([status({ id: outbound.externalId, status: 'sent', recipientId: from }), status({ id: outbound.externalId, status: 'delivered', recipientId: from })])).status).toBe(200);
    await waitFor('delivered', async () => (await tk.http.get(`/api/v2/events/${outbound.id}`)).body.status === 'delivered');
    await notify([status({ id: outbound.externalId, status: 'read', recipientId: from })]);
    const read = await waitFor('read', async () => {
      const res = await tk.http.get(`/api/v2/events/${outbound.id}`);
      return res.body.status === 'read' ? res.body : undefined;
    });
    expect(read).toMatchObject({ eventType: 'message.read', direction: 'outbound' });
    expect(read.stages.map((s: { stage: string }) => s.stage)).toEqual(expect.arrayContaining(['sent', 'delivered', 'read']));
    expect((await eventsOf('&eventType=message.read')).map((e) => e.id)).toContain(outbound.id);

    const sent = await tk.http.post('/api/v2/messages', { instanceId, to: from, text: 'this one bounces' });
    expect(sent.status).toBe(200);
    await notify([status({ id: sent.body.externalMessageId, status: 'failed', recipientId: from, error: { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' } })]);
    const failed = await waitFor('failed', async () => {
      const res = await tk.http.get(`/api/v2/events/${sent.body.messageId}`);
      return res.body.status === 'failed' ? res.body : undefined;
    });
    expect(failed).toMatchObject({ eventType: 'message.failed', error: { stage: 'delivery', message: expect.stringContaining('131049') } });
  });

  it('round-trips media: an inbound image is downloaded and stored, an outbound one uploaded and sent', async () => {
    const from = customer();
    const file = graph.addMedia({ data: PNG, mimeType: 'image/png' });
    const message = inbound.media({ from, kind: 'image', mediaId: file.id, mimeType: 'image/png', caption: 'my receipt' });
    expect((await deliver(from, message)).status).toBe(200);
    const received = await inboundEvent(message.id);
    expect(received).toMatchObject({ contentType: 'image', payload: { content: { type: 'image', caption: 'my receipt', media: { mimeType: 'image/png', size: PNG.length } } } });
    const stored = await tk.http.get(`/api/v2/instances/${instanceId}/messages/${message.id}/media`);
    expect(stored.status).toBe(200);
    expect(Buffer.from(stored.body.base64, 'base64').equals(PNG)).toBe(true);

    const sent = await tk.http.post('/api/v2/messages/media', { instanceId, to: from, type: 'image', base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'reply.png', caption: 'here you go' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const out = messagesTo(from).find((m) => m.id === sent.body.externalMessageId);
    expect(out).toMatchObject({ type: 'image', text: 'here you go' });
    expect(graph.media(out!.body.image.id)?.bytes.equals(PNG)).toBe(true);
  });

  it('sends and receives reactions', async () => {
    const from = customer();
    const message = inbound.text({ from, text: 'react to me' });
    await deliver(from, message);
    await inboundEvent(message.id);
    const sent = await tk.http.post('/api/v2/messages/reaction', { instanceId, to: from, messageId: message.id, emoji: '👍' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(messagesTo(from).find((m) => m.id === sent.body.externalMessageId)?.body.reaction).toEqual({ message_id: message.id, emoji: '👍' });

    const reaction = inbound.reaction({ from, messageId: sent.body.externalMessageId, emoji: '❤️' });
    await deliver(from, reaction);
    expect((await inboundEvent(reaction.id)).payload.content).toEqual({ type: 'reaction', messageId: sent.body.externalMessageId, emoji: '❤️' });
  });

  it('refuses a send outside the 24-hour window with a clear error, without calling Meta', async () => {
    const stranger = customer();
    const res = await tk.http.post('/api/v2/messages', { instanceId, to: stranger, text: 'cold outreach' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'PLATFORM_ERROR', message: expect.stringContaining('24-hour'), details: { code: 'OUTSIDE_MESSAGING_WINDOW', retryable: false } });
    expect(messagesTo(stranger)).toEqual([]);
    const event = await tk.http.get(`/api/v2/events/${res.body.error.details.messageId}`);
    expect(event.body).toMatchObject({ status: 'failed', error: { stage: 'channel_send', message: expect.stringContaining('OUTSIDE_MESSAGING_WINDOW') } });
  });
});
