import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '@omni/plugin-sdk';
import { startTestKernel, TINY_PNG_BASE64, waitFor, waitForConnectionState, type TestKernel } from '@omni/plugin-sdk/testing';
import { startFakeTelegram, type FakeTelegram, type TgUser } from '@omni/plugin-sdk/testing/telegram';
import telegramChannel from './index.js';

let tk: TestKernel;
let fake: FakeTelegram;
let alice: TgUser;
let instanceId: string;
let seq = 0;

const fastReconnect = { initialDelayMs: 50, maxDelayMs: 400 };
const baseConfig = () => ({ botToken: fake.token, apiRoot: fake.apiRoot, pollTimeoutSeconds: 5, reconnect: fastReconnect });

const stateOf = (id: string) => tk.kernel.connections.status(id);
const waitForState = (id: string, state: ConnectionState) => waitForConnectionState(tk, id, state, 8_000);

async function createInstance(channelConfig: Record<string, unknown>) {
  const res = await tk.http.post('/api/v2/instances', { name: `tg-${++seq}`, channel: 'telegram', channelConfig });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const received = (externalId: string) => tk.events.waitFor('message.received', (e) => e.metadata.instanceId === instanceId && e.payload.message.externalId === externalId);
const idOf = (m: { chat: { id: number }; message_id: number }) => `${m.chat.id}:${m.message_id}`;

beforeAll(async () => {
  fake = await startFakeTelegram();
  alice = fake.user({ first_name: 'Alice', last_name: 'Liddell', username: 'alice' });
  tk = await startTestKernel({ plugins: [telegramChannel] });
  instanceId = await createInstance(baseConfig());
  await waitForState(instanceId, 'connected');
});
afterAll(async () => {
  await tk?.stop();
  await fake?.close();
});

describe('telegram channel: inbound', () => {
  it('reports the bot account once connected, and keeps the token out of the API', async () => {
    expect(stateOf(instanceId).account).toEqual({ id: String(fake.bot.id), name: `@${fake.bot.username}` });
    const shown = await tk.http.get(`/api/v2/instances/${instanceId}`);
    expect(JSON.stringify(shown.body)).not.toContain(fake.token);
  });

  it('normalizes a DM text with mentions, the sender profile and the platform message id', async () => {
    const text = 'hi @fake_omni_bot how are you';
    const message = await fake.userMessage({ from: alice, text, entities: [{ type: 'mention', offset: 3, length: '@fake_omni_bot'.length }] });
    const event = await received(idOf(message));
    expect(event.payload.message).toMatchObject({
      externalId: idOf(message),
      chatId: String(alice.id),
      chatType: 'dm',
      sender: { id: String(alice.id), name: 'Alice Liddell', username: 'alice', isBot: false },
      content: { type: 'text', text },
      mentions: ['@fake_omni_bot'],
    });
  });

  it('keeps replies, and tells group topics apart from replies', async () => {
    const first = await fake.userMessage({ from: alice, text: 'first' });
    const reply = await fake.userMessage({ from: alice, text: 'second', replyTo: first });
    expect((await received(idOf(reply))).payload.message.replyTo).toBe(idOf(first));

    const forum = fake.group({ title: 'Support', forum: true });
    const topicRoot = fake.world.addMessage({ chat: forum, from: alice, text: 'topic created' });
    const inTopic = await fake.userMessage({ from: alice, chat: forum, text: 'in the topic', threadId: topicRoot.message_id, replyTo: topicRoot });
    const topicEvent = (await received(idOf(inTopic))).payload.message;
    expect(topicEvent).toMatchObject({ chatId: String(forum.id), chatType: 'group', threadId: String(topicRoot.message_id) });
    expect(topicEvent.replyTo).toBeUndefined();
  });

  it('normalizes channel posts, sent by the channel itself', async () => {
    const news = fake.world.channel({ title: 'News', username: 'news_channel' });
    const post = fake.world.addMessage({ chat: news, sender_chat: news, text: 'breaking' });
    await fake.deliver({ channel_post: post });
    expect((await received(idOf(post))).payload.message).toMatchObject({ chatId: String(news.id), chatType: 'channel', sender: { id: String(news.id), name: 'News', username: 'news_channel' }, content: { type: 'text', text: 'breaking' } });
  });

  it.each([
    ['photo', { photo: { data: Buffer.from(TINY_PNG_BASE64, 'base64'), mimeType: 'image/jpeg' }, caption: 'look' }, { type: 'image', caption: 'look' }, 'image/jpeg'],
    ['voice', { voice: { data: Buffer.from('OggS-voice'), mimeType: 'audio/ogg' } }, { type: 'audio', voiceNote: true }, 'audio/ogg'],
    ['audio', { audio: { data: Buffer.from('ID3-song'), mimeType: 'audio/mpeg', fileName: 'song.mp3' } }, { type: 'audio' }, 'audio/mpeg'],
    ['video', { video: { data: Buffer.from('mp4-video'), mimeType: 'video/mp4' }, caption: 'clip' }, { type: 'video', caption: 'clip' }, 'video/mp4'],
    ['document', { document: { data: Buffer.from('%PDF-1.1'), mimeType: 'application/pdf', fileName: 'report.pdf' } }, { type: 'document' }, 'application/pdf'],
    ['sticker', { sticker: { data: Buffer.from('RIFF-webp') } }, { type: 'sticker' }, 'image/webp'],
  ] as const)('downloads a %s through getFile and stores it with mime type and size', async (_kind, input, expected, mimeType) => {
    const message = await fake.userMessage({ from: alice, ...input });
    const content: any = (await received(idOf(message))).payload.message.content;
    expect(content).toMatchObject(expected);
    const bytes = Object.values(input).find((v): v is { data: Buffer } => typeof v === 'object' && 'data' in v)!.data;
    expect(content.media).toMatchObject({ storageKey: expect.any(String), size: bytes.length, mimeType });
    const served = await tk.http.fetch(`/api/v2/media/${content.media.storageKey}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    expect(fake.callsTo('getFile').some((c) => typeof c.params.file_id === 'string')).toBe(true);
  });

  it('keeps a message whose file Telegram refuses, as text, and the chat goes on', async () => {
    fake.failNext('getFile', { error_code: 400, description: 'Bad Request: file is too big' });
    const huge = await fake.userMessage({ from: alice, photo: { data: Buffer.from('big') }, caption: 'huge' });
    expect((await received(idOf(huge))).payload.message.content).toEqual({ type: 'text', text: '[photo not downloaded: Bad Request: file is too big] huge' });
    const next = await fake.userMessage({ from: alice, text: 'still here' });
    await received(idOf(next));
  });

  it('retries a download that failed for a passing reason, without losing the message', async () => {
    fake.failNext('getFile', { error_code: 502, description: 'Bad Gateway' });
    const photo = await fake.userMessage({ from: alice, photo: { data: Buffer.from('later'), mimeType: 'image/jpeg' } });
    const content: any = (await received(idOf(photo))).payload.message.content;
    expect(content).toMatchObject({ type: 'image', media: { size: 5 } });
    expect(fake.callsTo('getFile').some((c) => !c.response.ok && c.response.error_code === 502)).toBe(true);
    await waitForState(instanceId, 'connected');
  });

  it('normalizes locations and contacts', async () => {
    const location = await fake.userMessage({ from: alice, location: { latitude: 52.52, longitude: 13.405 } });
    expect((await received(idOf(location))).payload.message.content).toEqual({ type: 'location', latitude: 52.52, longitude: 13.405 });
    const contact = await fake.userMessage({ from: alice, contact: { phone_number: '+15550100', first_name: 'Ada', last_name: 'Lovelace' } });
    expect((await received(idOf(contact))).payload.message.content).toEqual({ type: 'contact', contact: { name: 'Ada Lovelace', phone: '+15550100' } });
  });

  it('turns message_reaction updates into reactions and edited messages into edits', async () => {
    const message = await fake.userMessage({ from: alice, text: 'rate me' });
    await fake.userReaction({ from: alice, message, emoji: ['👍'] });
    const reaction = await tk.events.waitFor('message.received', (e) => e.payload.message.content.type === 'reaction' && e.payload.message.content.messageId === idOf(message));
    expect(reaction.payload.message).toMatchObject({ sender: { id: String(alice.id) }, content: { emoji: '👍' } });
    expect(fake.callsTo('getUpdates').at(-1)?.params.allowed_updates).toContain('message_reaction');

    await fake.userEdit(message, 'rate me, please');
    const edit = await tk.events.waitFor('message.received', (e) => e.payload.message.change?.targetId === idOf(message));
    expect(edit.payload.message).toMatchObject({ change: { kind: 'edit', targetId: idOf(message) }, content: { type: 'text', text: 'rate me, please' } });
    expect(edit.payload.message.externalId).not.toBe(idOf(message));
  });
});

describe('telegram channel: outbound', () => {
  it('replies in a forum topic with reply_parameters and message_thread_id', async () => {
    const forum = fake.group({ forum: true });
    const asked = await fake.userMessage({ from: alice, chat: forum, text: 'question', threadId: 77 });
    const result = await tk.kernel.messages.send({ instanceId, to: String(forum.id), threadId: '77', replyTo: idOf(asked), content: { type: 'text', text: 'answer' } });
    expect(result).toMatchObject({ ok: true, externalId: expect.stringMatching(new RegExp(`^${forum.id}:\\d+$`)) });
    const call = fake.callsTo('sendMessage').at(-1)!;
    expect(call.params).toMatchObject({ chat_id: String(forum.id), text: 'answer', message_thread_id: 77, reply_parameters: { message_id: asked.message_id } });
  });

  it('splits text over 4096 characters into several messages', async () => {
    const before = fake.callsTo('sendMessage').length;
    const text = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const res = await tk.http.post('/api/v2/messages', { instanceId, to: String(alice.id), text });
    expect(res.status).toBe(200);
    const parts = fake.callsTo('sendMessage').slice(before);
    expect(parts.length).toBe(2);
    expect(parts.every((c) => c.response.ok && String(c.params.text).length <= 4096)).toBe(true);
    expect(parts.map((c) => c.params.text).join(' ')).toBe(text);
  });

  it('uploads media with grammY multipart and sends voice notes as voice', async () => {
    const res = await tk.http.post('/api/v2/messages/media', { instanceId, to: String(alice.id), type: 'image', base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'pixel.png', caption: 'a pixel' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const photo = fake.callsTo('sendPhoto').at(-1)!;
    expect(photo.params.caption).toBe('a pixel');
    expect(photo.files.photo?.filename).toBe('pixel.png');
    expect(photo.files.photo?.data.equals(Buffer.from(TINY_PNG_BASE64, 'base64'))).toBe(true);

    await tk.http.post('/api/v2/messages/media', { instanceId, to: String(alice.id), type: 'audio', base64: Buffer.from('OggS').toString('base64'), mimeType: 'audio/ogg', voiceNote: true });
    expect(fake.callsTo('sendVoice').at(-1)?.files.voice?.data.toString()).toBe('OggS');
  });

  it('fetches media given by url and uploads it; a caption over 1024 characters follows as text', async () => {
    const file = fake.putFile(Buffer.from('%PDF-from-a-url'), { folder: 'documents', extension: '.pdf' });
    const url = `${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`;
    const caption = 'c'.repeat(1_500);
    const res = await tk.http.post('/api/v2/messages/media', { instanceId, to: String(alice.id), type: 'document', url, caption });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const doc = fake.callsTo('sendDocument').at(-1)!;
    expect(doc.files.document?.data.toString()).toBe('%PDF-from-a-url');
    expect(doc.files.document?.filename).toBe(file.file_path!.split('/').pop());
    expect(doc.params.caption).toBeUndefined();
    expect(fake.callsTo('sendMessage').at(-1)?.params.text).toBe(caption);
  });

  it('fails a send whose media url cannot be fetched, with the reason', async () => {
    const result = await tk.kernel.messages.send({ instanceId, to: String(alice.id), content: { type: 'image', media: { url: `${fake.apiRoot}/file/bot${fake.token}/photos/missing.jpg` } } });
    expect(result).toMatchObject({ ok: false, error: { message: expect.stringContaining('HTTP 404') } });
  });

  it('reacts, edits, deletes and shows typing through the messages API', async () => {
    const asked = await fake.userMessage({ from: alice, text: 'react to me' });
    const reaction = await tk.http.post('/api/v2/messages/reaction', { instanceId, to: String(alice.id), messageId: idOf(asked), emoji: '🔥' });
    expect(reaction.status).toBe(200);
    expect(fake.callsTo('setMessageReaction').at(-1)?.params).toMatchObject({ chat_id: String(alice.id), message_id: asked.message_id, reaction: [{ type: 'emoji', emoji: '🔥' }] });

    const sent = await tk.http.post('/api/v2/messages', { instanceId, to: String(alice.id), text: 'draft' });
    const edited = await tk.http.patch(`/api/v2/messages/${sent.body.messageId}`, { text: 'final' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(fake.callsTo('editMessageText').at(-1)?.params).toMatchObject({ text: 'final' });
    const deleted = await tk.http.delete(`/api/v2/messages/${sent.body.messageId}`);
    expect(deleted.status).toBe(200);
    expect(fake.callsTo('deleteMessage')).toHaveLength(1);

    const typing = await tk.http.post('/api/v2/messages/typing', { instanceId, to: String(alice.id) });
    expect(typing.status).toBe(200);
    expect(fake.callsTo('sendChatAction').at(-1)?.params).toMatchObject({ chat_id: String(alice.id), action: 'typing' });
  });

  it('updates the bot profile, fetches user profiles and validates recipients', async () => {
    const res = await tk.http.put(`/api/v2/instances/${instanceId}/profile`, { name: 'Omni Helper', status: 'I answer questions' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(fake.profile).toMatchObject({ name: 'Omni Helper', description: 'I answer questions' });
    const refused = await tk.http.put(`/api/v2/instances/${instanceId}/profile`, { username: 'newname' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('BotFather');

    const profile = await tk.http.get(`/api/v2/instances/${instanceId}/profile/${alice.id}`);
    expect(profile.body).toMatchObject({ platformUserId: String(alice.id), name: 'Alice Liddell', username: 'alice' });
    expect((await tk.http.get(`/api/v2/instances/${instanceId}/profile/99999`)).status).toBe(404);

    const valid = await tk.http.post(`/api/v2/instances/${instanceId}/validate-recipient`, { recipient: String(alice.id) });
    expect(valid.body).toEqual({ valid: true, exists: true, normalized: String(alice.id), profile: { name: 'Alice Liddell' } });
    expect((await tk.http.post(`/api/v2/instances/${instanceId}/validate-recipient`, { recipient: '4242' })).body).toMatchObject({ valid: true, exists: false });
    expect((await tk.http.post(`/api/v2/instances/${instanceId}/validate-recipient`, { recipient: 'not a chat' })).body).toMatchObject({ valid: false });
  });
});

describe('telegram channel: platform errors', () => {
  it('turns a long 429 into a failed send with retryAfterMs, and waits out a short one', async () => {
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 30', retry_after: 30 });
    const limited = await tk.kernel.messages.send({ instanceId, to: String(alice.id), content: { type: 'text', text: 'slow down' } });
    expect(limited).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too Many Requests: retry after 30', retryable: true, retryAfterMs: 30_000 } });
    const failed = await tk.events.waitFor('message.failed', (e) => e.payload.messageId === limited.messageId);
    expect(failed.payload.error).toContain('retry after 30');

    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const retried = await tk.kernel.messages.send({ instanceId, to: String(alice.id), content: { type: 'text', text: 'try again' } });
    expect(retried).toMatchObject({ ok: true });
    expect(fake.callsTo('sendMessage').filter((c) => c.params.text === 'try again').map((c) => c.response.ok)).toEqual([false, true]);
  });

  it("turns a 403 into a failed send with Telegram's reason", async () => {
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    const result = await tk.kernel.messages.send({ instanceId, to: String(alice.id), content: { type: 'text', text: 'are you there' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: 'Forbidden: bot was blocked by the user', retryable: false } });
    const event = await tk.kernel.messageEvents.get(result.messageId);
    expect(event).toMatchObject({ status: 'failed', errorMessage: 'FORBIDDEN: Forbidden: bot was blocked by the user' });
  });

  it('shows a rejected token as an error status and does not retry it', async () => {
    const id = await createInstance({ ...baseConfig(), botToken: '999:revoked-token' });
    const status = await waitForState(id, 'error');
    expect(status.error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false, message: expect.stringContaining('401') });
    expect(status.error?.message).not.toContain('revoked-token');
    const attempts = fake.calls.filter((c) => !c.authorized).length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.filter((c) => !c.authorized).length).toBe(attempts);
    expect(stateOf(id).state).toBe('error');

    const fixed = await tk.http.patch(`/api/v2/instances/${id}`, { channelConfig: baseConfig() });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    await waitForState(id, 'connected');
    await tk.http.post(`/api/v2/instances/${id}/disconnect`);
  });
});

describe('telegram channel: connection', () => {
  /** Two instances polling one bot fight (409), as on Telegram: each of these tests gets its own bot. */
  async function ownBot() {
    const own = await startFakeTelegram({ token: `${700_000 + ++seq}:own-bot-token` });
    return { own, config: { botToken: own.token, apiRoot: own.apiRoot, pollTimeoutSeconds: 5, reconnect: fastReconnect } };
  }

  it('reconnects with backoff after the network fails, reporting each attempt', async () => {
    const { own, config } = await ownBot();
    try {
      const id = await createInstance(config);
      await waitForState(id, 'connected');
      own.setOffline(true);
      const reconnecting = await waitForState(id, 'reconnecting');
      expect(reconnecting.reconnect).toMatchObject({ attempt: expect.any(Number), nextAttemptAt: expect.any(String) });
      expect(reconnecting.error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
      expect(JSON.stringify(reconnecting)).not.toContain(own.token);
      await waitFor('a second attempt', () => (stateOf(id).reconnect?.attempt ?? 0) >= 2, 8_000);
      own.setOffline(false);
      await waitForState(id, 'connected');
      const dave = own.user({ first_name: 'Dave' });
      const message = await own.userMessage({ from: dave, text: 'back online' });
      await tk.events.waitFor('message.received', (e) => e.metadata.instanceId === id && e.payload.message.externalId === idOf(message));
      await tk.http.post(`/api/v2/instances/${id}/disconnect`);
    } finally {
      await own.close();
    }
  });

  it('stays disconnected after a deliberate disconnect and loses nothing sent meanwhile', async () => {
    const bob = fake.user({ first_name: 'Bob' });
    const res = await tk.http.post(`/api/v2/instances/${instanceId}/disconnect`);
    expect(res.status).toBe(200);
    expect(stateOf(instanceId).state).toBe('disconnected');
    const polls = fake.callsTo('getUpdates').length;
    const delivery = fake.userMessage({ from: bob, text: 'while you were away' }, { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsTo('getUpdates').length).toBe(polls);
    expect(fake.pendingUpdates()).toBe(1);
    expect(stateOf(instanceId).state).toBe('disconnected');

    await tk.http.post(`/api/v2/instances/${instanceId}/connect`);
    const message = await delivery;
    await received(idOf(message));
    expect(stateOf(instanceId).state).toBe('connected');
  });

  it('receives updates by webhook, verified by the secret token', async () => {
    const { own, config } = await ownBot();
    try {
      const secret = 'tg-webhook-secret-0123456789';
      const id = await createInstance({ ...config, mode: 'webhook', publicUrl: tk.url, webhookSecret: secret });
      await waitForState(id, 'connected');
      expect(own.webhook).toEqual({ url: `${tk.url}/api/v2/webhooks/telegram/${id}`, secretToken: secret });

      const carol = own.user({ first_name: 'Carol' });
      const message = await own.userMessage({ from: carol, text: 'via webhook' });
      const event = await tk.events.waitFor('message.received', (e) => e.metadata.instanceId === id && e.payload.message.externalId === idOf(message));
      expect(event.payload.message.content).toEqual({ type: 'text', text: 'via webhook' });
      expect(own.callsTo('getUpdates')).toHaveLength(0);
      expect(own.webhookDeliveries.at(-1)?.status).toBe(200);

      const update = { update_id: 999, message: { message_id: 1, date: 0, chat: { id: carol.id, type: 'private' }, from: carol, text: 'forged' } };
      const forged = await tk.http.post(`/api/v2/webhooks/telegram/${id}`, update, { 'x-telegram-bot-api-secret-token': 'wrong-secret-000000000' });
      expect(forged.status).toBe(401);
      expect(forged.body.error.code).toBe('UNAUTHORIZED');
      expect((await tk.http.post(`/api/v2/webhooks/telegram/${id}`, update)).status).toBe(401);
      const bad = await tk.http.post(`/api/v2/webhooks/telegram/${id}`, { hello: 'world' }, { 'x-telegram-bot-api-secret-token': secret });
      expect(bad.status).toBe(400);
      expect(tk.events.ofType('message.received').some((e) => JSON.stringify(e.payload.message.content).includes('forged'))).toBe(false);

      // While disconnected, updates get 503: Telegram keeps them and retries later.
      await tk.http.post(`/api/v2/instances/${id}/disconnect`);
      const later = await tk.http.post(`/api/v2/webhooks/telegram/${id}`, update, { 'x-telegram-bot-api-secret-token': secret });
      expect(later.status).toBe(503);
    } finally {
      await own.close();
    }
  });
});
