import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from '@omni/plugin-sdk/testing';
import { startFakeTelegram, type FakeTelegram, type TelegramCall, type TgUser } from '@omni/plugin-sdk/testing/telegram';
import { startEchoAgent, type EchoAgent } from 'omni-echo-agent';
import { spawnOmni, type OmniProcess } from '../support/spawn-omni.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The Telegram channel end to end: the real `omni start` process, the echo agent, and the
 * fake Bot API standing in for Telegram. Everything goes through the public HTTP API.
 */
describe('Telegram channel end to end', () => {
  let fake: FakeTelegram;
  let echo: EchoAgent;
  let omni: OmniProcess;
  let dataDir: string;
  let alice: TgUser;
  let instanceId: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${omni.url}${path}`, {
      method,
      headers: { 'x-api-key': omni.apiKey ?? '', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as any, raw: text };
  };
  const status = async (id: string) => (await api('GET', `/api/v2/instances/${id}/status`)).body;
  const waitForState = (id: string, state: string, timeoutMs = 15_000) =>
    waitFor(`instance ${id} ${state}`, async () => {
      const s = await status(id);
      return s.state === state ? s : undefined;
    }, timeoutMs);
  const replyTo = (chatId: number, text: string) => (c: TelegramCall) => c.method === 'sendMessage' && c.response.ok && String(c.params.chat_id) === String(chatId) && c.params.text === text;
  const idOf = (m: { chat: { id: number }; message_id: number }) => `${m.chat.id}:${m.message_id}`;
  const inboundEvent = (externalId: string) =>
    waitFor(`inbound event ${externalId}`, async () => {
      const list = await api('GET', `/api/v2/events?instanceId=${instanceId}&direction=inbound&limit=100`);
      return (list.body.items as Array<{ externalId: string; status: string; id: string }>).find((e) => e.externalId === externalId && e.status === 'sent');
    }, 15_000);
  const start = async () => {
    omni = await spawnOmni({ OMNI_DATA_DIR: dataDir, OMNI_DISABLED_PLUGINS: 'channel-discord,channel-slack,channel-whatsapp-baileys,channel-whatsapp-cloud' }, 60_000);
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    alice = fake.user({ first_name: 'Alice', username: 'alice' });
    echo = await startEchoAgent();
    dataDir = await mkdtemp(join(tmpdir(), 'omni-e2e-telegram-'));
    await start();
  }, 90_000);
  afterAll(async () => {
    await omni?.stop();
    await echo?.close();
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('connects an instance pointing at the fake Bot API', async () => {
    const created = await api('POST', '/api/v2/instances', {
      name: 'telegram-e2e',
      channel: 'telegram',
      channelConfig: { botToken: fake.token, apiRoot: fake.apiRoot, pollTimeoutSeconds: 5, reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 } },
      agent: { apiUrl: echo.url },
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
    const media = event.payload.content.media;
    expect(media).toMatchObject({ mimeType: 'image/jpeg', size: bytes.length, storageKey: expect.any(String) });
    const stored = await fetch(`${omni.url}/api/v2/media/${media.storageKey}`, { headers: { 'x-api-key': omni.apiKey ?? '' } });
    expect(stored.status).toBe(200);
    const storedBytes = Buffer.from(await stored.arrayBuffer());
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
    const reaction = await waitFor('the reaction event', async () => {
      const list = await api('GET', `/api/v2/events?instanceId=${instanceId}&direction=inbound&limit=100`);
      return list.body.items.find((e: { externalId: string }) => e.externalId.startsWith(`${idOf(message)}:reaction:`));
    });
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
    await omni.stop();
    await start();
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
    await waitFor('the failure to be logged', () => omni.logs.some((l) => l.instanceId === created.body.id));
    expect(JSON.stringify(omni.logs)).not.toContain('definitely-wrong');
    expect(JSON.stringify(omni.logs)).not.toContain(fake.token.split(':')[1]);
  });
});
