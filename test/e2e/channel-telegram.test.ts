import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from '@omni/plugin-sdk/testing';
import { startFakeTelegram, type FakeTelegram, type TelegramCall, type TgUser } from '@omni/plugin-sdk/testing/telegram';
import { omniApi } from '../support/omni-api.js';
import { startOmniWithEcho, type OmniWithEcho } from '../support/omni-with-echo.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The Telegram channel end to end: the real `omni start` process, the echo agent, and the
 * fake Bot API standing in for Telegram. Everything goes through the public HTTP API.
 */
describe('Telegram channel end to end', () => {
  let fake: FakeTelegram;
  let hub: OmniWithEcho;
  let alice: TgUser;
  let instanceId: string;

  const { api, status, waitForState, inboundEvent: listedInbound, media } = omniApi(() => hub.omni);
  const replyTo = (chatId: number, text: string) => (c: TelegramCall) => c.method === 'sendMessage' && c.response.ok && String(c.params.chat_id) === String(chatId) && c.params.text === text;
  const idOf = (m: { chat: { id: number }; message_id: number }) => `${m.chat.id}:${m.message_id}`;
  const inboundEvent = (externalId: string) => listedInbound(instanceId, externalId);

  beforeAll(async () => {
    fake = await startFakeTelegram();
    alice = fake.user({ first_name: 'Alice', username: 'alice' });
    hub = await startOmniWithEcho('telegram');
  }, 90_000);
  afterAll(async () => {
    await hub?.close();
    await fake?.close();
  });

  it('connects an instance pointing at the fake Bot API', async () => {
    const created = await api('POST', '/api/v2/instances', {
      name: 'telegram-e2e',
      channel: 'telegram',
      channelConfig: { botToken: fake.token, apiRoot: fake.apiRoot, pollTimeoutSeconds: 5, reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } },
      agent: { apiUrl: hub.echo.url },
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.raw).not.toContain(fake.token);
    instanceId = created.body.id;
    const connected = await waitForState(instanceId, 'connected');
    expect(connected.account).toMatchObject({ id: String(fake.bot.id), name: `@${fake.bot.username}` });
  });

  it('answers a user through the echo agent with sendMessage, and the events API shows the trace', async () => {
    const message = await fake.userMessage({ from: alice, text: 'hello omni' });
    const reply = await fake.takeCall(replyTo(alice.id, 'Echo: hello omni'), 15_000);
    expect(reply.authorized).toBe(true);

    const inbound = await inboundEvent(idOf(message));
    const trace = await api('GET', `/api/v2/events/${inbound.id}`);
    expect(trace.body).toMatchObject({ direction: 'inbound', status: 'sent', channel: 'telegram', instanceId, textContent: 'hello omni', externalId: idOf(message) });
    expect(trace.body.stages.map((s: { stage: string }) => s.stage)).toEqual(['received', 'access', 'debounce', 'agent_request', 'agent_response', 'channel_send', 'sent']);
    const all = await api('GET', `/api/v2/events?instanceId=${instanceId}&limit=100`);
    const outbound = all.body.items.find((e: { direction: string; traceId: string }) => e.direction === 'outbound' && e.traceId === trace.body.traceId);
    const sent = reply.response as { ok: true; result: { chat: { id: number }; message_id: number } };
    expect(outbound).toMatchObject({ status: 'sent', externalId: idOf(sent.result), replyToEventId: inbound.id });
    // The typing indicator ran while the agent worked.
    expect(fake.callsTo('sendChatAction').some((c) => String(c.params.chat_id) === String(alice.id))).toBe(true);
  });

  it('round-trips media: a photo comes in, is stored, and goes back out byte for byte', async () => {
    const bytes = Buffer.from(TINY_PNG_BASE64, 'base64');
    const photo = await fake.userMessage({ from: alice, photo: { data: bytes, mimeType: 'image/jpeg' }, caption: 'my picture' });
    await fake.takeCall(replyTo(alice.id, 'Echo: my picture'), 15_000);
    const inbound = await inboundEvent(idOf(photo));
    const event = (await api('GET', `/api/v2/events/${inbound.id}`)).body;
    expect(event).toMatchObject({ contentType: 'image', textContent: 'my picture' });
    expect(event.payload.content.media).toMatchObject({ mimeType: 'image/jpeg', size: bytes.length, storageKey: expect.any(String) });
    const stored = await media(event.payload.content.media.storageKey);
    expect(stored.status).toBe(200);
    const storedBytes = stored.bytes;
    expect(storedBytes.equals(bytes)).toBe(true);

    const sent = await api('POST', '/api/v2/messages/media', { instanceId, to: String(alice.id), type: 'image', base64: storedBytes.toString('base64'), mimeType: 'image/jpeg', filename: 'back.jpg', caption: 'right back' });
    expect(sent.status, sent.raw).toBe(200);
    const upload = await fake.takeCall((c) => c.method === 'sendPhoto' && c.params.caption === 'right back');
    expect(upload.files.photo?.data.equals(bytes)).toBe(true);
  });

  it('carries reactions both ways', async () => {
    const message = await fake.userMessage({ from: alice, text: 'react to this' });
    await fake.takeCall(replyTo(alice.id, 'Echo: react to this'), 15_000);
    await fake.userReaction({ from: alice, message, emoji: ['❤'] });
    const reaction = await listedInbound(instanceId, (id) => id.startsWith(`${idOf(message)}:reaction:`), { statuses: 'any' });
    expect(reaction).toMatchObject({ contentType: 'reaction', chatId: String(alice.id) });

    const res = await api('POST', '/api/v2/messages/reaction', { instanceId, to: String(alice.id), messageId: idOf(message), emoji: '👍' });
    expect(res.status, res.raw).toBe(200);
    const call = await fake.takeCall((c) => c.method === 'setMessageReaction' && c.params.message_id === message.message_id);
    expect(call.params.reaction).toEqual([{ type: 'emoji', emoji: '👍' }]);
  });

  it('stays disconnected when told to, then reconnects and answers what arrived meanwhile', async () => {
    expect((await api('POST', `/api/v2/instances/${instanceId}/disconnect`)).status).toBe(200);
    await waitForState(instanceId, 'disconnected');
    const delivered = fake.userMessage({ from: alice, text: 'are you back?' }, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.pendingUpdates()).toBe(1);
    expect((await status(instanceId)).state).toBe('disconnected');

    expect((await api('POST', `/api/v2/instances/${instanceId}/connect`)).status).toBe(200);
    await waitForState(instanceId, 'connected');
    await delivered;
    await fake.takeCall(replyTo(alice.id, 'Echo: are you back?'), 15_000);
  });

  it('comes back connected after a restart, with its stored token', async () => {
    await hub.restart();
    await waitForState(instanceId, 'connected', 20_000);
    await fake.userMessage({ from: alice, text: 'after restart' });
    await fake.takeCall(replyTo(alice.id, 'Echo: after restart'), 15_000);
  }, 90_000);

  it('shows a bad token as an error status', async () => {
    const created = await api('POST', '/api/v2/instances', { name: 'telegram-bad-token', channel: 'telegram', channelConfig: { botToken: '999999:definitely-wrong', apiRoot: fake.apiRoot } });
    expect(created.status).toBe(201);
    const failed = await waitForState(created.body.id, 'error');
    expect(failed.error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
    expect(failed.error.message).toContain('bot token');
    expect(JSON.stringify(failed)).not.toContain('definitely-wrong');
    // Neither token ever reaches the logs.
    await waitFor('the failure to be logged', () => hub.omni.logs.some((l) => l.instanceId === created.body.id));
    expect(JSON.stringify(hub.omni.logs)).not.toContain('definitely-wrong');
    expect(JSON.stringify(hub.omni.logs)).not.toContain(fake.token.split(':')[1]);
  });
});
